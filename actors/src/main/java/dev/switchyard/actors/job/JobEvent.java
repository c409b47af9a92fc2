package dev.switchyard.actors.job;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Journaled;
import dev.switchyard.protocol.QueryResult;
import java.util.Objects;

/**
 * What happened to a job, past tense, journaled under {@code job|<id>} (Jackson). A step's own model calls are
 * not copied here while it runs: they live in the step's durable query journal ({@code query|<id>/step-<n>}),
 * and the finished step's result (with its episode) is recorded once in {@link StepFinished}.
 */
public sealed interface JobEvent extends Journaled {
  long atMillis();

  record JobAccepted(JobSpec spec, long atMillis) implements JobEvent {
    public JobAccepted {
      Objects.requireNonNull(spec, "spec");
    }
  }

  /** Step {@code index} started as durable query {@code queryId} with what remained of the job's budget. */
  record StepStarted(int index, String queryId, Budget budget, long atMillis) implements JobEvent {}

  record StepFinished(int index, QueryResult result, long atMillis) implements JobEvent {
    public StepFinished {
      Objects.requireNonNull(result, "result");
    }
  }

  record CancelRequested(long atMillis) implements JobEvent {}

  /** @param code a machine-readable reason, e.g. {@code budget_exhausted}, {@code step_abstained}; null if none */
  record JobEnded(JobStatus status, String code, String message, long atMillis) implements JobEvent {
    public JobEnded {
      Objects.requireNonNull(status, "status");
    }
  }
}
