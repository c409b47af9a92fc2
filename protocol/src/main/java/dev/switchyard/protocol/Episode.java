package dev.switchyard.protocol;

import java.util.List;
import java.util.Objects;

/**
 * A finished query: every decision and model call, and the outcome. Learners update from episodes.
 *
 * @param queryText the routed text, so contextual learners can featurize the query
 * @param answerModel the model whose answer was returned, null if the query abstained or failed
 * @param score correctness or reward of the final answer when known (replayed reference score or user
 *     feedback), null otherwise
 * @param policyVersion the policy snapshot version that made the decisions, 0 for fixed strategies
 */
public record Episode(
    String queryId,
    String pipeline,
    String task,
    String queryText,
    List<EpisodeStep> steps,
    String answerModel,
    String answer,
    double costUsd,
    double latencyMs,
    Double score,
    long policyVersion,
    long startedAtMillis,
    long finishedAtMillis)
    implements CrossNode {
  public Episode {
    Objects.requireNonNull(queryId, "queryId");
    steps = List.copyOf(steps);
  }

  /** The model calls made, in order. */
  public List<Response> calls() {
    return steps.stream().filter(s -> s.stage() == Stage.GENERATE && s.response() != null)
        .map(EpisodeStep::response).toList();
  }

  public Episode withScore(Double newScore) {
    return new Episode(queryId, pipeline, task, queryText, steps, answerModel, answer, costUsd, latencyMs,
        newScore, policyVersion, startedAtMillis, finishedAtMillis);
  }
}
