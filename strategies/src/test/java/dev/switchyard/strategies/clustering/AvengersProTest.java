package dev.switchyard.strategies.clustering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import org.junit.jupiter.api.Test;

class AvengersProTest {
  // wordsmith: right on trivia only; calculator: right on maths only; both cost 1. oracle: all right, cost 10.
  static final String[] MODELS = {"wordsmith", "calculator", "oracle"};
  static final double[][] SPEC = {{0, 1, 1}, {1, 0, 1}, {1, 1, 10}};

  static AvengersPro fitted(RecordedDataset train) {
    AvengersPro router = new AvengersPro(2, 1, 64, 5.0);
    router.fit(train, StrategyContext.seeded(5));
    return router;
  }

  @Test
  void balancedWeightRoutesEachClusterToItsSpecialist() {
    RecordedDataset train = ClusterData.data(MODELS, SPEC).build();
    AvengersPro router = fitted(train);
    var planner = router.planner(0.5);
    assertEquals("calculator", UniRouteTest.firstChoice(planner, train, ClusterData.math(4), "math"));
    assertEquals("wordsmith", UniRouteTest.firstChoice(planner, train, ClusterData.trivia(4), "trivia"));
    // In the maths cluster: p~ = (0, 0.8889, 1), c~ = (0, 0, 1), so x = 0.5 p~ + 0.5 (1 - c~).
    double[] s = router.scores(ClusterData.math(4), "math", 0.5);
    assertEquals(0.5, s[0], 1e-12);
    assertEquals(0.5 * (0.9 - 0.1) / (1.0 - 0.1) + 0.5, s[1], 1e-12);
    assertEquals(0.5, s[2], 1e-12);
  }

  @Test
  void performanceOnlyWeightRoutesToTheBestModel() {
    RecordedDataset train = ClusterData.data(MODELS, SPEC).build();
    var planner = fitted(train).planner(1.0);
    assertEquals("oracle", UniRouteTest.firstChoice(planner, train, ClusterData.math(4), "math"));
    assertEquals("oracle", UniRouteTest.firstChoice(planner, train, ClusterData.trivia(4), "trivia"));
  }
}
