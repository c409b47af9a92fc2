package dev.switchyard.actors.query;

import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.query.QueryEvent.AttemptFailed;
import dev.switchyard.actors.query.QueryEvent.FeedbackReceived;
import dev.switchyard.actors.query.QueryEvent.ModelAnswered;
import dev.switchyard.actors.query.QueryEvent.ModelRouted;
import dev.switchyard.actors.query.QueryEvent.QueryAbstained;
import dev.switchyard.actors.query.QueryEvent.QueryAccepted;
import dev.switchyard.actors.query.QueryEvent.QueryAnswered;
import dev.switchyard.actors.query.QueryEvent.QueryCancelled;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.plan.Attempt;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state of one query, built only by applying {@link QueryEvent}s, so a durable query recovers exactly
 * what it recorded and the planner's {@code PlanState} can be rebuilt from {@link #attempts()}.
 *
 * @param pending the call made and not yet answered, null when none
 * @param lastRetryAfterMillis the retry-after of the last failed attempt, -1 if none
 * @param result set once the query answered or abstained
 * @param rewards feedback rewards received after the end, in order: the first was learned, the last is current
 * @param cancelReason set once a cancel was recorded: no further model call is made, the call in flight (if
 *     any) is still recorded, then the query ends with its best answer so far
 */
public record QueryRun(Query query, String pipeline, long policyVersion, long acceptedAtMillis,
    List<EpisodeStep> steps, List<Attempt> attempts, List<Outcome> outcomes, Pending pending,
    long lastRetryAfterMillis, QueryResult result, List<Double> rewards, String cancelReason) {

  /** A routed call awaiting its answer. */
  public record Pending(int attemptNo, String modelId, String subQuery) {}

  /**
   * How an attempt ended, one per {@link #attempts()} entry (the planner reads those as text): answered
   * ({@code failure} null) or failed with {@code failure}, {@code refused} when its pool did not run it.
   */
  public record Outcome(String modelId, FailureKind failure, boolean refused) {
    static Outcome answered(String modelId) {
      return new Outcome(modelId, null, false);
    }

    /** The model was called (it answered or failed; a refusal reached no model). */
    public boolean called() {
      return !refused;
    }
  }

  private static final QueryRun NONE = new QueryRun(null, null, 0, 0, List.of(), List.of(), List.of(), null, -1,
      null, List.of(), null);

  public QueryRun {
    steps = List.copyOf(steps);
    attempts = List.copyOf(attempts);
    outcomes = List.copyOf(outcomes);
    rewards = List.copyOf(rewards);
  }

  /** Before {@code QueryAccepted}. */
  public static QueryRun none() {
    return NONE;
  }

  public boolean accepted() {
    return query != null;
  }

  public boolean finished() {
    return result != null;
  }

  public boolean cancelled() {
    return cancelReason != null;
  }

  public boolean running() {
    return accepted() && !finished();
  }

  public String queryId() {
    return query == null ? null : query.id();
  }

  /** The number the next call gets. */
  public int nextAttemptNo() {
    return attempts.size() + 1;
  }

  public static String attemptId(String queryId, int attemptNo) {
    return queryId + "/" + attemptNo;
  }

  /** How the last attempt ended, empty before the first. */
  public Optional<Outcome> lastOutcome() {
    return outcomes.isEmpty() ? Optional.empty() : Optional.of(outcomes.get(outcomes.size() - 1));
  }

  public QueryRun apply(QueryEvent event) {
    if (event instanceof QueryAccepted e) {
      if (accepted()) {
        return this;
      }
      return new QueryRun(e.query(), e.pipeline(), e.policyVersion(), e.atMillis(), List.of(), List.of(), List.of(),
          null, -1, null, List.of(), null);
    }
    if (!accepted()) {
      throw new IllegalStateException(event.getClass().getSimpleName() + " before QueryAccepted");
    }
    if (event instanceof ModelRouted e) {
      return new QueryRun(query, pipeline, policyVersion, acceptedAtMillis, plus(steps, e.decisions()), attempts,
          outcomes, new Pending(e.attemptNo(), e.modelId(), e.subQuery()), lastRetryAfterMillis, result, rewards,
          cancelReason);
    }
    if (event instanceof ModelAnswered e) {
      String subQuery = pending == null ? null : pending.subQuery();
      Attempt attempt = new Attempt(e.response().modelId(), subQuery, e.response(), null);
      return new QueryRun(query, pipeline, policyVersion, acceptedAtMillis,
          plus(steps, List.of(EpisodeStep.generated(e.attemptNo(), e.response()))), plus(attempts, List.of(attempt)),
          plus(outcomes, List.of(Outcome.answered(e.response().modelId()))), null, -1, result, rewards,
          cancelReason);
    }
    if (event instanceof AttemptFailed e) {
      String subQuery = pending == null ? null : pending.subQuery();
      String failure = FailureKind.decision(e.rejected(), e.kind(), e.message());
      EpisodeStep step = EpisodeStep.decision(e.attemptNo(), e.rejected() ? Stage.REJECTED : Stage.FAILED,
          e.modelId(), failure, e.retryAfterMillis() >= 0 ? e.retryAfterMillis() : Double.NaN);
      return new QueryRun(query, pipeline, policyVersion, acceptedAtMillis, plus(steps, List.of(step)),
          plus(attempts, List.of(new Attempt(e.modelId(), subQuery, null, failure))),
          plus(outcomes, List.of(new Outcome(e.modelId(), e.failure(), e.rejected()))), null, e.retryAfterMillis(),
          result, rewards, cancelReason);
    }
    if (event instanceof QueryAnswered e) {
      if (finished()) {
        return this;
      }
      List<EpisodeStep> all = plus(steps, e.decisions());
      if (all.stream().noneMatch(s -> s.stage() == Stage.ANSWER && s.round() == attempts.size())) {
        all = plus(all, List.of(EpisodeStep.decision(attempts.size(), Stage.ANSWER, e.modelId(), "answer",
            Double.NaN)));
      }
      return finish(all, e.text(), e.modelId(), null, e.atMillis());
    }
    if (event instanceof QueryAbstained e) {
      if (finished()) {
        return this;
      }
      List<EpisodeStep> all = plus(steps, e.decisions());
      if (all.stream().noneMatch(s -> s.stage() == Stage.ABSTAIN && s.round() == attempts.size())) {
        all = plus(all, List.of(EpisodeStep.decision(attempts.size(), Stage.ABSTAIN, null, e.reason(),
            Double.NaN)));
      }
      return finish(all, null, null, e.reason(), e.atMillis());
    }
    if (event instanceof FeedbackReceived e) {
      return new QueryRun(query, pipeline, policyVersion, acceptedAtMillis, steps, attempts, outcomes, pending,
          lastRetryAfterMillis, result, plus(rewards, List.of(e.reward())), cancelReason);
    }
    if (event instanceof QueryCancelled e) {
      if (finished() || cancelled()) {
        return this;
      }
      return new QueryRun(query, pipeline, policyVersion, acceptedAtMillis, steps, attempts, outcomes, pending,
          lastRetryAfterMillis, result, rewards, e.reason());
    }
    throw new IllegalArgumentException("unknown query event " + event);
  }

  private QueryRun finish(List<EpisodeStep> allSteps, String answer, String answerModel, String abstainReason,
      long finishedAt) {
    List<Response> responses = attempts.stream().filter(Attempt::succeeded).map(Attempt::response).toList();
    List<String> called = outcomes.stream().filter(Outcome::called).map(Outcome::modelId).toList();
    double cost = responses.stream().mapToDouble(Response::costUsd).sum();
    int in = responses.stream().mapToInt(Response::inputTokens).sum();
    int out = responses.stream().mapToInt(Response::outputTokens).sum();
    Double score = null;
    if (answerModel != null) {
      for (int i = responses.size() - 1; i >= 0; i--) {
        Response r = responses.get(i);
        if (r.modelId().equals(answerModel) && (answer == null || answer.equals(r.text()))) {
          score = r.referenceScore();
          break;
        }
      }
    }
    double latency = Math.max(0, finishedAt - acceptedAtMillis);
    Episode episode = new Episode(query.id(), pipeline, query.task(), query.text(), allSteps, answerModel, answer,
        cost, latency, score, policyVersion, acceptedAtMillis, finishedAt);
    QueryResult done = new QueryResult(query.id(), pipeline, answer, answerModel, called, attempts.size(), cost,
        latency, in, out, abstainReason, episode);
    return new QueryRun(query, pipeline, policyVersion, acceptedAtMillis, allSteps, attempts, outcomes, null,
        lastRetryAfterMillis, done, rewards, cancelReason);
  }

  private static <T> List<T> plus(List<T> list, List<T> more) {
    List<T> next = new ArrayList<>(list.size() + more.size());
    next.addAll(list);
    next.addAll(more);
    return next;
  }
}
