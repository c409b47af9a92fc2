package dev.switchyard.strategies.pipeline;

import java.util.List;
import java.util.Objects;

/**
 * A pre-router's choice: the models to try, best first. A pure router's ranking has one model that matters;
 * a cascade's ranking is its escalation chain.
 *
 * @param score the router's score for the first model (e.g. predicted quality), NaN if it has none
 * @param reason a short label for the episode log, e.g. {@code "cluster 3"}
 */
public record RouteDecision(List<String> ranking, double score, String reason) {
  public RouteDecision {
    ranking = List.copyOf(ranking);
    if (ranking.isEmpty()) {
      throw new IllegalArgumentException("a route decision needs at least one model");
    }
    reason = Objects.requireNonNullElse(reason, "");
  }

  public static RouteDecision single(String modelId, double score, String reason) {
    return new RouteDecision(List.of(modelId), score, reason);
  }
}
