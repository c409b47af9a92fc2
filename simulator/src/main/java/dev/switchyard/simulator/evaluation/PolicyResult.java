package dev.switchyard.simulator.evaluation;

import dev.switchyard.strategies.StrategyInfo;
import java.util.List;
import java.util.Objects;

/**
 * What the evaluator measured for one policy: a trained strategy swept over its trade-offs, or a baseline.
 *
 * @param name the summary row name: the strategy's registry name, {@code single:<model>}, {@code random} or
 *     {@code oracle}
 * @param info the strategy's self-description; null for baselines
 * @param implementation the implementing class's simple name, or a short description for baselines
 * @param points every swept operating point, in sweep order
 * @param front the Pareto-filtered points, by increasing cost
 */
public record PolicyResult(String name, Kind kind, StrategyInfo info, String implementation,
    List<FrontierPoint> points, List<FrontierPoint> front, Summary summary) {
  public PolicyResult {
    Objects.requireNonNull(name, "name");
    points = List.copyOf(points);
    front = List.copyOf(front);
  }

  public enum Kind { STRATEGY, SINGLE, RANDOM, ORACLE }

  /**
   * The summary metrics; NaN stands for "not achievable" (a budget below the policy's cheapest point, a quality
   * never matched).
   *
   * @param qualityAtBudget quality at each of {@link Evaluation#BUDGET_PERCENTS} of the best single model's cost
   * @param matchBestCostPct cost to reach the best single model's quality, in % of its cost
   * @param auc normalised area under the quality-cost curve
   * @param apgr average performance gap recovered over strong-call shares
   * @param cpt50 strong-call share needed to recover 50% of the weak-to-strong gap
   * @param routingAccuracy routing accuracy of the best point within the best single model's cost
   */
  public record Summary(double[] qualityAtBudget, double matchBestCostPct, double auc, double apgr, double cpt50,
      double routingAccuracy) {
    public Summary {
      qualityAtBudget = qualityAtBudget.clone();
    }

    @Override
    public double[] qualityAtBudget() {
      return qualityAtBudget.clone();
    }
  }
}
