package dev.switchyard.strategies;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.Planner;

/**
 * A routing or cascading method of the survey: trained once on recorded outcomes, then turned into a
 * {@link Planner} at any point of its trade-off. The engine and the offline evaluator drive the same planner,
 * so what is evaluated is what is served.
 *
 * <p>Implementations must be deterministic given the context's seed and must not look at the test split:
 * {@link #fit} receives the training split only.
 */
public interface Strategy {
  StrategyInfo info();

  /** Learns from the training split. Called once before {@link #planner}. */
  void fit(RecordedDataset train, StrategyContext context);

  /**
   * The trade-off grid swept to draw the quality–cost frontier, in increasing order of cost appetite or of
   * cost weight, as the strategy defines it; {@link #planner} accepts any value of it.
   */
  double[] tradeoffs();

  /** The planner at one trade-off point; thread-safe and stateless across queries. */
  Planner planner(double tradeoff);
}
