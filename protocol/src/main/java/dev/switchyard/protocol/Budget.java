package dev.switchyard.protocol;

/**
 * Limits one query or job may spend. A value of zero or less means "no limit" for that dimension.
 *
 * @param maxCostUsd total cost of all model calls
 * @param maxRounds model calls (rounds of the plan)
 * @param deadlineMillis wall-clock time from acceptance to answer
 */
public record Budget(double maxCostUsd, int maxRounds, long deadlineMillis) implements CrossNode {

  public static Budget unlimited() {
    return new Budget(0, 0, 0);
  }

  public static Budget rounds(int maxRounds) {
    return new Budget(0, maxRounds, 0);
  }

  public boolean costExhausted(double spentUsd) {
    return maxCostUsd > 0 && spentUsd >= maxCostUsd;
  }

  public boolean roundsExhausted(int roundsUsed) {
    return maxRounds > 0 && roundsUsed >= maxRounds;
  }

  /** True if a call expected to cost {@code nextCallUsd} still fits after {@code spentUsd}. */
  public boolean affords(double spentUsd, double nextCallUsd) {
    return maxCostUsd <= 0 || spentUsd + nextCallUsd <= maxCostUsd;
  }
}
