package dev.switchyard.simulator.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.simulator.evaluation.Metrics.BudgetRule;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final double EPS = 1e-12;
  // (2, 0.55) is Pareto-optimal but under the chord from (1, 0.5) to (3, 0.7); (4, 0.65) is dominated.
  private static final List<FrontierPoint> POINTS = List.of(FrontierPoint.of(3, 0.7), FrontierPoint.of(1, 0.5),
      FrontierPoint.of(2, 0.55), FrontierPoint.of(4, 0.65));

  @Test
  void paretoFrontDropsDominatedPointsAndSortsByCost() {
    List<FrontierPoint> front = Metrics.paretoFront(POINTS);
    assertEquals(List.of(FrontierPoint.of(1, 0.5), FrontierPoint.of(2, 0.55), FrontierPoint.of(3, 0.7)), front);
  }

  @Test
  void qualityAtBudgetInterpolatesOnTheConcaveEnvelope() {
    assertEquals(0.6, Metrics.qualityAt(POINTS, 2).getAsDouble(), EPS);
    assertEquals(0.5, Metrics.qualityAt(POINTS, 1).getAsDouble(), EPS);
    assertEquals(0.7, Metrics.qualityAt(POINTS, 10).getAsDouble(), EPS);
    assertFalse(Metrics.qualityAt(POINTS, 0.5).isPresent());
  }

  @Test
  void qualityAtBudgetUnderTheStepRuleTakesTheBestPointWithinBudget() {
    assertEquals(0.55, Metrics.qualityAt(POINTS, 2, BudgetRule.STEP).getAsDouble(), EPS);
    assertEquals(0.55, Metrics.qualityAt(POINTS, 2.99, BudgetRule.STEP).getAsDouble(), EPS);
    assertEquals(0.7, Metrics.qualityAt(POINTS, 3, BudgetRule.STEP).getAsDouble(), EPS);
    assertEquals(0.5, Metrics.qualityAt(POINTS, 1.5, BudgetRule.STEP).getAsDouble(), EPS);
    assertFalse(Metrics.qualityAt(POINTS, 0.99, BudgetRule.STEP).isPresent());
  }

  @Test
  void costToMatchIsTheCheapestAchievableCostOfTheTarget() {
    assertEquals(2.5, Metrics.costToMatch(POINTS, 0.65).getAsDouble(), EPS);
    assertEquals(3.0, Metrics.costToMatch(POINTS, 0.65, BudgetRule.STEP).getAsDouble(), EPS);
    assertEquals(1.0, Metrics.costToMatch(POINTS, 0.4).getAsDouble(), EPS);
    assertFalse(Metrics.costToMatch(POINTS, 0.71).isPresent());
  }

  @Test
  void normalisedAucIntegratesBetweenTheCheapestAndTheBestModel() {
    // cheapest model (1, 0.5), best model (5, 0.7); the strategy starts at cost 2.
    List<FrontierPoint> strategy = List.of(FrontierPoint.of(2, 0.6), FrontierPoint.of(3, 0.7));
    // [1,2]: nothing achievable (0); [2,3]: 0.5 -> 1 linearly (0.75); [3,5]: 1 (2.0). (0.75 + 2) / 4.
    assertEquals(0.6875, Metrics.normalisedAuc(strategy, 1, 0.5, 5, 0.7), EPS);
    // Step rule: [2,3] stays at 0.5 (0.5), [3,5]: 2.0. 2.5 / 4.
    assertEquals(0.625, Metrics.normalisedAuc(strategy, 1, 0.5, 5, 0.7, BudgetRule.STEP), EPS);
  }

  @Test
  void normalisedAucOfRandomMixingIsOneHalf() {
    List<FrontierPoint> mix = List.of(FrontierPoint.of(1, 0.5), FrontierPoint.of(5, 0.7));
    assertEquals(0.5, Metrics.normalisedAuc(mix, 1, 0.5, 5, 0.7), EPS);
  }

  @Test
  void apgrAveragesTheRecoveredGapOverStrongCallShares() {
    List<FrontierPoint> points = List.of(share(0, 0.5), share(0.5, 0.8), share(1, 0.9));
    // PGR: 0 -> 0.75 on [0, 0.5] (0.1875), 0.75 -> 1 on [0.5, 1] (0.4375).
    assertEquals(0.625, Metrics.apgr(points, 0.5, 0.9), EPS);
    assertEquals(1.0 / 3, Metrics.callsToReach(points, 0.5, 0.5, 0.9).getAsDouble(), EPS);
    assertEquals(0.5, Metrics.apgr(List.of(share(0, 0.5), share(1, 0.9)), 0.5, 0.9), EPS);
  }

  @Test
  void apgrCountsSharesBelowTheFirstPointAsNothingRecovered() {
    List<FrontierPoint> points = List.of(share(0.5, 0.9));
    assertEquals(0.5, Metrics.apgr(points, 0.5, 0.9), EPS);
    assertTrue(Double.isNaN(Metrics.apgr(points, 0.9, 0.9)));
  }

  private static FrontierPoint share(double strongShare, double quality) {
    return new FrontierPoint(Double.NaN, quality, strongShare, strongShare, Double.NaN, 1, 0);
  }
}
