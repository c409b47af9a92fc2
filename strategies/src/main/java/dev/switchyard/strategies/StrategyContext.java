package dev.switchyard.strategies;

import java.time.Clock;
import java.util.Objects;

/**
 * What a strategy is given besides data: a seed for all its randomness, a clock (never the wall clock
 * directly), and the objective's non-cost weights (the cost weight is the strategy's swept trade-off).
 */
public record StrategyContext(long seed, Clock clock, Objective objective) {
  public StrategyContext {
    Objects.requireNonNull(clock, "clock");
    objective = objective == null ? Objective.qualityOnly() : objective;
  }

  public static StrategyContext seeded(long seed) {
    return new StrategyContext(seed, Clock.systemUTC(), Objective.qualityOnly());
  }
}
