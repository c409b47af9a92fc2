package dev.switchyard.actors.query;

import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.protocol.Journaled;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import java.util.List;
import java.util.Objects;

/**
 * What happened to a query, past tense. A durable query journals these (Jackson, so old rows replay into new
 * code; golden fixtures under {@code src/test/resources/events/v1} guard the format); an ephemeral query applies
 * the same events in memory, so both modes share one state machine ({@link QueryRun#apply}). The journal's
 * sequence numbers order the events; a jobs API can serve them as resumable event ids.
 */
public sealed interface QueryEvent extends Journaled {
  long atMillis();

  /** The query was taken; {@code policyVersion} is the acting policy version (0 for fixed pipelines). */
  record QueryAccepted(Query query, String pipeline, long policyVersion, long atMillis) implements QueryEvent {
    public QueryAccepted {
      Objects.requireNonNull(query, "query");
      Objects.requireNonNull(pipeline, "pipeline");
    }
  }

  /**
   * The plan chose to call {@code modelId} as call number {@code attemptNo} (1-based; backend attempt id
   * {@code <queryId>/<attemptNo>}), after the recorded {@code decisions}. Journaled before the call is made,
   * so a resumed query re-issues the same attempt id instead of deciding again.
   */
  record ModelRouted(int attemptNo, String modelId, String subQuery, List<EpisodeStep> decisions, long atMillis)
      implements QueryEvent {
    public ModelRouted {
      Objects.requireNonNull(modelId, "modelId");
      decisions = decisions == null ? List.of() : List.copyOf(decisions);
    }
  }

  /** Call {@code attemptNo} answered. */
  record ModelAnswered(int attemptNo, Response response, long atMillis) implements QueryEvent {
    public ModelAnswered {
      Objects.requireNonNull(response, "response");
    }
  }

  /**
   * Call {@code attemptNo} did not answer: refused by its pool ({@code rejected}) or failed. Journaled with the
   * kind's name (the v1 form); build it with {@link #of} and read the kind with {@link #failure()}.
   *
   * @param rejected whether {@code kind} is a refusal (journaled as recorded)
   * @param kind the name of a {@link FailureKind}
   * @param retryAfterMillis the pool's or backend's retry-after, -1 if none
   */
  record AttemptFailed(int attemptNo, String modelId, boolean rejected, String kind, String message,
      long retryAfterMillis, long atMillis) implements QueryEvent {
    public AttemptFailed {
      Objects.requireNonNull(modelId, "modelId");
      Objects.requireNonNull(kind, "kind");
      message = message == null ? "" : message;
    }

    static AttemptFailed of(int attemptNo, String modelId, FailureKind kind, String message, long retryAfterMillis,
        long atMillis) {
      return new AttemptFailed(attemptNo, modelId, kind.isRefusal(), kind.name(), message, retryAfterMillis,
          atMillis);
    }

    /** The kind of the failure (a name this version does not know reads as {@code SERVER_ERROR}). */
    public FailureKind failure() {
      return FailureKind.fromWire(kind);
    }
  }

  /** The plan answered with {@code text}, credited to {@code modelId}. */
  record QueryAnswered(String text, String modelId, List<EpisodeStep> decisions, long atMillis)
      implements QueryEvent {
    public QueryAnswered {
      Objects.requireNonNull(text, "text");
      decisions = decisions == null ? List.of() : List.copyOf(decisions);
    }
  }

  /** The plan gave no answer. */
  record QueryAbstained(String reason, List<EpisodeStep> decisions, long atMillis) implements QueryEvent {
    public QueryAbstained {
      reason = reason == null ? "" : reason;
      decisions = decisions == null ? List.of() : List.copyOf(decisions);
    }
  }

  /**
   * The query was cancelled (e.g. its job was): no further model call; a call in flight is still recorded, then
   * the query ends with its best answer so far.
   */
  record QueryCancelled(String reason, long atMillis) implements QueryEvent {
    public QueryCancelled {
      reason = reason == null ? "cancelled" : reason;
    }
  }

  /**
   * A reward arrived for the finished query. The first is passed to the learner; a later one (only with
   * {@code replace}) replaces it as the query's reward and is not learned again.
   */
  record FeedbackReceived(double reward, String source, long atMillis) implements QueryEvent {}
}
