package dev.switchyard.simulator.learning;

import java.util.List;
import java.util.Map;

/**
 * What the learning benchmarks measured, free of any presentation: {@link LearningBenchmarks} computes these and
 * {@link LearningReport} renders them, so a test (or another report format) can read the numbers directly.
 */
final class LearningResults {
  private LearningResults() {}

  /** One learner streamed over the test split from cold. */
  record LearnerRun(String learner, double totalReward, double regret, double regretPerQuery, double tailQuality,
      double tailCostUsd, double callsPerQuery) {}

  /**
   * One learner when the best fixed model degrades mid-stream; {@code adaptation} is a query count, "n/a" (it
   * hardly used the model before) or "never".
   */
  record DriftRun(String learner, double shareBefore, String adaptation, double postChangeRewardPerQuery) {}

  /** One learner when the best fixed model joins mid-stream; {@code adaptation} is a query count or "never". */
  record JoinRun(String learner, String adaptation, double tailShareToNewModel, double postJoinRewardPerQuery) {}

  /** The online benchmark: a stationary stream, then drift, then a model joining. */
  record Online(double costWeight, double costScale, int queries, String bestFixed, double bestFixedTotalReward,
      List<LearnerRun> learners, double flipProbability, int changeAt, int window, String bestFixedAfterChange,
      double bestFixedPostChangeRewardPerQuery, List<DriftRun> drift, List<JoinRun> join) {}

  /** One swept point of a strategy on the test split. */
  record Point(double tradeoff, double quality, double cost, double calls) {}

  /**
   * The multi-round benchmark: every strategy's frontier, and its best quality within each budget (a share of the
   * best single model's cost; NaN when no point is that cheap).
   */
  record MultiRound(String bestModel, double bestModelQuality, double bestModelCost, List<Double> budgetShares,
      Map<String, List<Point>> frontiers, Map<String, List<Double>> qualityAtBudget) {}

  /** One way of choosing each step's model, over all jobs. */
  record Allocation(String name, double successRate, double meanCostPerJob) {}

  /** The multi-step benchmark: fixed choices against the R2-Reasoner allocator at each trade-off. */
  record MultiStep(int jobs, int minSteps, int maxSteps, String cheapest, String strongest,
      List<Allocation> allocations) {}
}
