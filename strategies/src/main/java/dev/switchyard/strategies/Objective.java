package dev.switchyard.strategies;

/**
 * The trade-off every strategy optimises, with cost, latency and energy as first-class terms (the survey's
 * §10 names multi-objective routing as missing): {@code utility = quality - costWeight * costUsd
 * - latencyWeight * latencySeconds - energyWeight * energyJoules}. Quality is in [0, 1].
 */
public record Objective(double costWeight, double latencyWeight, double energyWeight) {
  public Objective {
    if (costWeight < 0 || latencyWeight < 0 || energyWeight < 0) {
      throw new IllegalArgumentException("objective weights must be >= 0, got cost=" + costWeight
          + " latency=" + latencyWeight + " energy=" + energyWeight);
    }
  }

  public static Objective qualityOnly() {
    return new Objective(0, 0, 0);
  }

  public static Objective costWeighted(double costWeight) {
    return new Objective(costWeight, 0, 0);
  }

  public double utility(double quality, double costUsd, double latencyMs, double energyJoules) {
    return quality - costWeight * costUsd - latencyWeight * latencyMs / 1000.0 - energyWeight * energyJoules;
  }

  public Objective withCostWeight(double newCostWeight) {
    return new Objective(newCostWeight, latencyWeight, energyWeight);
  }
}
