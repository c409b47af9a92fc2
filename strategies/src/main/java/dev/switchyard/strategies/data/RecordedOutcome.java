package dev.switchyard.strategies.data;

/**
 * What one real model did on one recorded query.
 *
 * @param score correctness (0/1) or a real-valued score in [0, 1]
 * @param costUsd recorded cost; when the file has none, 1 for the strongest model and 0 for the others, so
 *     that mean cost reads as the share of strong calls
 * @param latencyMs recorded latency, NaN when not recorded
 * @param confidence the model's raw confidence signal (higher = surer), NaN when not recorded
 */
public record RecordedOutcome(double score, double costUsd, int inTokens, int outTokens, double latencyMs,
    double confidence, String answer) {
  public boolean hasConfidence() {
    return !Double.isNaN(confidence);
  }

  public boolean hasLatency() {
    return !Double.isNaN(latencyMs);
  }
}
