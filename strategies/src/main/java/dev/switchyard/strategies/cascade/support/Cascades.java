package dev.switchyard.strategies.cascade.support;

import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.pipeline.Verifier;
import dev.switchyard.strategies.plan.Planner;
import java.util.List;

/** The threshold cascade shared by several methods, composed from the pipeline stages. */
public final class Cascades {
  private Cascades() {}

  /**
   * Calls the chain's models in order; accepts the latest answer when the verifier's confidence is at least
   * {@code threshold}, else escalates to the next untried model of the chain (restricted to the deployed
   * models); the last model's answer is always accepted.
   */
  public static Planner thresholdCascade(String reason, List<String> chain, Verifier verifier, double threshold) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a cascade needs at least one model");
    }
    requireUnit("threshold", threshold);
    return new ThreeStagePipeline(
        state -> new RouteDecision(ModelStats.deployed(chain, state), Double.NaN, reason),
        verifier,
        (state, confidence, route) -> {
          if (confidence >= threshold) {
            return Escalation.accept();
          }
          return route.ranking().stream().filter(m -> !state.tried(m)).findFirst()
              .<Escalation>map(Escalation.EscalateTo::new)
              .orElse(Escalation.accept());
        });
  }

  /** Rejects a trade-off value outside [0, 1] (or NaN) with a message naming it. */
  public static double requireUnit(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
    }
    return value;
  }

  /** Evenly spaced thresholds 0, 1/n, ..., 1. */
  public static double[] unitGrid(int steps) {
    double[] t = new double[steps + 1];
    for (int i = 0; i <= steps; i++) {
      t[i] = i / (double) steps;
    }
    return t;
  }
}
