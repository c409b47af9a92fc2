package dev.switchyard.actors.job;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import java.util.List;
import java.util.Optional;

/**
 * A job as its clients see it.
 *
 * @param known false when no job has this id
 * @param answer the job's answer: the final step's, or (when the job failed or was cancelled) the latest answer
 *     any step gave; null when none
 * @param costUsd total cost of every model call of every step so far
 * @param rounds model calls of every step so far
 * @param code why the job failed or ended early ({@code budget_exhausted}, {@code step_abstained},
 *     {@code tenant_budget_exhausted}, {@code tenant_rate_limited}, {@code cancelled}), null otherwise
 * @param steps every started step; a running step's {@code episodeSteps} are those recorded so far
 * @param tenant the tenant that submitted it, null without API keys (only that tenant sees, cancels and rates it)
 */
public record JobView(String id, boolean known, String pipeline, JobStatus status, boolean cancelRequested,
    int stepCount, Budget budget, long createdAtMillis, long endedAtMillis, String answer, String answerModel,
    double costUsd, int rounds, String code, String message, List<StepView> steps, String tenant)
    implements CrossNode {

  public JobView {
    steps = List.copyOf(steps);
  }

  public JobView(String id, boolean known, String pipeline, JobStatus status, boolean cancelRequested,
      int stepCount, Budget budget, long createdAtMillis, long endedAtMillis, String answer, String answerModel,
      double costUsd, int rounds, String code, String message, List<StepView> steps) {
    this(id, known, pipeline, status, cancelRequested, stepCount, budget, createdAtMillis, endedAtMillis, answer,
        answerModel, costUsd, rounds, code, message, steps, null);
  }

  /**
   * One started step.
   *
   * @param result null while the step runs
   */
  public record StepView(int index, String queryId, Budget budget, List<EpisodeStep> episodeSteps,
      QueryResult result) implements CrossNode {
    public StepView {
      episodeSteps = List.copyOf(episodeSteps);
    }

    public boolean finished() {
      return result != null;
    }
  }

  static JobView unknown(String id) {
    return new JobView(id, false, null, null, false, 0, Budget.unlimited(), 0, 0, null, null, 0, 0, null, null,
        List.of());
  }

  /** The view without the steps' details (for event payloads). */
  static JobView summary(JobState state) {
    return of(state, List.of(), false);
  }

  static JobView of(JobState state, List<EpisodeStep> live) {
    return of(state, live, true);
  }

  private static JobView of(JobState state, List<EpisodeStep> live, boolean withSteps) {
    List<StepView> steps = !withSteps ? List.of() : state.steps().stream()
        .map(s -> new StepView(s.index(), s.queryId(), s.budget(),
            s.finished() && s.result().episode() != null ? s.result().episode().steps() : live, s.result()))
        .toList();
    Optional<QueryResult> best = state.bestAnswer();
    return new JobView(state.spec().id(), true, state.spec().pipeline(), state.status(), state.cancelRequested(),
        state.spec().steps().size(), state.spec().budget(), state.acceptedAtMillis(), state.endedAtMillis(),
        best.map(QueryResult::answer).orElse(null), best.map(QueryResult::answerModel).orElse(null),
        state.spentUsd(), state.roundsUsed(), state.endCode(), state.endMessage(), steps, state.spec().tenant());
  }
}
