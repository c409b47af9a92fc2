package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.Response;

/**
 * The reward every learner of this package maximises, from a finished episode:
 * {@code r = score - costWeight * costUsd / costScale - energyWeight * energyJoules / energyScale}.
 * {@code costScale} is the cost that counts as one unit of quality at weight 1 (typically the most expensive
 * model's mean cost); energy is the sum of the calls' {@link Response#energyJoules()}.
 */
public record RewardModel(double costWeight, double costScale, double energyWeight, double energyScale) {
  public RewardModel {
    if (!(costScale > 0) || !(energyScale > 0)) {
      throw new IllegalArgumentException("costScale and energyScale must be > 0, got " + costScale + ", "
          + energyScale);
    }
    if (costWeight < 0 || energyWeight < 0) {
      throw new IllegalArgumentException("reward weights must be >= 0, got cost=" + costWeight + " energy="
          + energyWeight);
    }
  }

  public static RewardModel costOnly(double costWeight, double costScale) {
    return new RewardModel(costWeight, costScale, 0, 1);
  }

  /** Reward of one finished episode, or NaN if it has no score (the learner then ignores it). */
  public double of(Episode episode) {
    if (episode.score() == null) {
      return Double.NaN;
    }
    double energy = episode.calls().stream().mapToDouble(Response::energyJoules).sum();
    return of(episode.score(), episode.costUsd(), energy);
  }

  public double of(double score, double costUsd, double energyJoules) {
    return score - costWeight * costUsd / costScale - energyWeight * energyJoules / energyScale;
  }

  /** Reward of a single call judged on its own (its reference score), for pairwise and per-call learning. */
  public double ofCall(Response call) {
    if (call.referenceScore() == null) {
      return Double.NaN;
    }
    return of(call.referenceScore(), call.costUsd(), call.energyJoules());
  }

  /** The widest the reward can range for scores in [0, 1] and costs up to one scale: used by confidence bounds. */
  public double range() {
    return 1 + costWeight + energyWeight;
  }
}
