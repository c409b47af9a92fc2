package dev.switchyard.simulator.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.strategies.data.RecordedDataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {
  private static final double EPS = 1e-12;
  @TempDir
  Path dir;
  private Evaluation evaluation;
  private Map<String, PolicyResult> baselines;

  @BeforeEach
  void evaluateTheTwoModelFile() throws Exception {
    evaluation = new Evaluation(RecordedDataset.load(TinyData.twoModels(dir)), "test", 1);
    baselines = evaluation.baselines().stream().collect(Collectors.toMap(PolicyResult::name, Function.identity()));
  }

  @Test
  void yardstickIsChosenOnTheEvaluatedSplit() {
    Yardstick y = evaluation.yardstick();
    assertEquals("strong", y.bestModel());
    assertEquals(0.75, y.bestQuality(), EPS);
    assertEquals(3.25, y.bestCost(), EPS);
    assertEquals("weak", y.cheapModel());
    assertEquals(0.5, y.cheapQuality(), EPS);
    assertEquals(1.25, y.cheapCost(), EPS);
  }

  @Test
  void singleModelsScoreTheirRecordedOutcomes() {
    FrontierPoint weak = baselines.get("single:weak").points().get(0);
    assertEquals(0.5, weak.quality(), EPS);
    assertEquals(1.25, weak.costUsd(), EPS);
    assertEquals(0.0, weak.strongShare(), EPS);
    // te-2 is the only query where a better answer existed.
    assertEquals(0.75, weak.routingAccuracy(), EPS);
    assertEquals(1.0, baselines.get("single:strong").points().get(0).routingAccuracy(), EPS);
  }

  @Test
  void oracleTakesTheCheapestBestScoringModelPerQuery() {
    FrontierPoint oracle = baselines.get("oracle").points().get(0);
    // weak, strong, weak (nobody right: cheapest), weak.
    assertEquals(0.75, oracle.quality(), EPS);
    assertEquals((1 + 3 + 1 + 2) / 4.0, oracle.costUsd(), EPS);
    assertEquals(0.25, oracle.strongShare(), EPS);
    PolicyResult.Summary s = baselines.get("oracle").summary();
    assertEquals(100 * 1.75 / 3.25, s.matchBestCostPct(), 1e-9);
    assertEquals(0.75, s.auc(), 1e-9);
  }

  @Test
  void randomMixingIsLinearBetweenCheapestAndBestModel() {
    PolicyResult random = baselines.get("random");
    FrontierPoint half = random.points().get(10);
    assertEquals(0.5, half.tradeoff(), EPS);
    assertEquals(0.625, half.quality(), EPS);
    assertEquals(2.25, half.costUsd(), EPS);
    assertEquals(0.5, half.strongShare(), EPS);
    assertEquals(0.5, random.summary().auc(), 1e-9);
    assertEquals(0.5, random.summary().apgr(), 1e-9);
    assertEquals(0.5, random.summary().cpt50(), 1e-9);
    assertEquals(100.0, random.summary().matchBestCostPct(), 1e-9);
    double[] q = random.summary().qualityAtBudget();
    assertArrayEquals(new double[] {Double.NaN, Double.NaN, Double.NaN, 0.5 + 0.25 * 0.375 / 2, 0.75}, q, 1e-12);
  }

  @Test
  void aStrategyThatThrowsIsReportedAndLeftOutWhileBaselinesRemain() {
    dev.switchyard.strategies.Strategy broken = new dev.switchyard.strategies.Strategy() {
      @Override
      public dev.switchyard.strategies.StrategyInfo info() {
        return new dev.switchyard.strategies.StrategyInfo("broken", "", dev.switchyard.strategies.Dimensions.of(
            dev.switchyard.strategies.Dimensions.When.PRE_GENERATION, dev.switchyard.strategies.Dimensions.How.HEURISTIC),
            "");
      }

      @Override
      public void fit(RecordedDataset train, dev.switchyard.strategies.StrategyContext context) {
        throw new IllegalArgumentException("cannot fit this file");
      }

      @Override
      public double[] tradeoffs() {
        return new double[] {0};
      }

      @Override
      public dev.switchyard.strategies.plan.Planner planner(double tradeoff) {
        throw new IllegalStateException("not fitted");
      }
    };
    List<String> failures = new java.util.ArrayList<>();
    List<PolicyResult> results = evaluation.runAll(Map.of("broken", () -> broken),
        (name, e) -> failures.add(name + ": " + e.getMessage()));
    assertEquals(List.of("broken: cannot fit this file"), failures);
    assertEquals(List.of("single:weak", "single:strong", "random", "oracle"),
        results.stream().map(PolicyResult::name).toList());
  }

  @Test
  void summaryCsvHasTheExactHeaderAndEmptyCellsForUnreachableBudgets() {
    String csv = Reports.summaryCsv(evaluation.baselines());
    List<String> lines = csv.lines().toList();
    assertEquals("strategy,q_at_5,q_at_10,q_at_20,q_at_50,q_at_100,match_best_cost_pct,auc", lines.get(0));
    assertEquals("single:weak,,,,0.5000,0.5000,,0.0000", lines.get(1));
    assertEquals("single:strong,,,,,0.7500,100.00,0.0000", lines.get(2));
    assertEquals("random,,,,0.5469,0.7500,100.00,0.5000", lines.get(3));
    assertEquals("oracle,,,,,0.7500,53.85,0.7500", lines.get(4));
    assertEquals(5, lines.size());
  }

  @Test
  void frontiersCsvListsEveryParetoPointWithItsCostShare() {
    List<String> lines = Reports.frontiersCsv(evaluation.baselines(), evaluation.yardstick()).lines().toList();
    assertEquals(Reports.FRONTIERS_HEADER, lines.get(0));
    assertEquals("oracle,,0.750000,1.750000e+00,53.846,0.250000,1.000000,1.0000,0.0", lines.get(lines.size() - 1));
    // two singles + 21 random mixing points + oracle
    assertEquals(1 + 2 + 21 + 1, lines.size());
  }
}
