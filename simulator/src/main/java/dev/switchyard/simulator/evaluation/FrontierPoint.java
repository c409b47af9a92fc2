package dev.switchyard.simulator.evaluation;

/**
 * One operating point of a policy on the evaluated split: means over its queries.
 *
 * @param tradeoff the strategy's trade-off value that produced it (a mixing share for random, NaN for fixed
 *     baselines)
 * @param quality mean score of the returned answers (an abstention scores 0)
 * @param costUsd mean cost per query
 * @param strongShare share of queries on which the best single model was called at least once
 * @param routingAccuracy share of queries whose answer scored as well as the best model on that query
 * @param meanCalls mean model calls per query
 * @param latencyMs mean latency per query (calls run one after another)
 */
public record FrontierPoint(double tradeoff, double quality, double costUsd, double strongShare,
    double routingAccuracy, double meanCalls, double latencyMs) {

  /** A point known only by its cost and quality (tests, hull vertices). */
  public static FrontierPoint of(double costUsd, double quality) {
    return new FrontierPoint(Double.NaN, quality, costUsd, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }
}
