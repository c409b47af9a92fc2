package dev.switchyard.strategies.clustering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UniRouteTest {
  // cheap: wrong on maths, right on trivia, cost 1; strong: always right, cost 10.
  static final String[] MODELS = {"cheap", "strong"};
  static final double[][] SPEC = {{0, 1, 1}, {1, 1, 10}};

  static RecordedDataset train() {
    return ClusterData.data(MODELS, SPEC).build();
  }

  static String firstChoice(Planner planner, RecordedDataset train, String text, String task) {
    Query q = new Query("x", List.of(dev.switchyard.protocol.ChatMessage.user(text)), task, null);
    PlanAction action = planner.next(PlanState.start(q, ModelCatalog.fromRecorded(train)));
    return ((PlanAction.Route) action).modelId();
  }

  static UniRoute fitted(RecordedDataset train) {
    UniRoute router = new UniRoute(2, 64, 5.0);
    router.fit(train, StrategyContext.seeded(11));
    return router;
  }

  @Test
  void routesEachClusterToItsCheapestAccurateModel() {
    RecordedDataset train = train();
    UniRoute router = fitted(train);
    int math = router.clusterOf(ClusterData.math(0), "math");
    int trivia = router.clusterOf(ClusterData.trivia(0), "trivia");
    assertNotEquals(math, trivia);
    // Psi_cheap[math] = (20 errors + 5 * 0.5) / (20 + 5) = 0.9; Psi_cheap[trivia] = (0 + 2.5) / 25 = 0.1.
    assertEquals(0.9, router.profiles().get("cheap").clusterError()[math], 1e-12);
    assertEquals(0.1, router.profiles().get("cheap").clusterError()[trivia], 1e-12);
    Planner planner = router.planner(0.5);
    assertEquals("strong", firstChoice(planner, train, ClusterData.math(3), "math"));
    assertEquals("cheap", firstChoice(planner, train, ClusterData.trivia(3), "trivia"));
  }

  @Test
  void uniRouteAddsModelWithoutRetraining() {
    RecordedDataset train = train();
    UniRoute router = fitted(train);
    Planner before = router.planner(0.5);
    double[] cheapBefore = router.profiles().get("cheap").clusterError();
    double[] strongBefore = router.profiles().get("strong").clusterError();
    List<Integer> clustersBefore = train.queries().stream().map(q -> router.clusterOf(q.prompt(), q.task())).toList();

    // A new cheap model, good at maths, described by four labelled queries of each kind.
    List<UniRoute.LabelledQuery> examples = new ArrayList<>();
    for (int i = 100; i < 104; i++) {
      examples.add(new UniRoute.LabelledQuery(ClusterData.math(i), "math", 1));
      examples.add(new UniRoute.LabelledQuery(ClusterData.trivia(i), "trivia", 0));
    }
    router.addModel("newcomer", 1.0, examples);

    int math = router.clusterOf(ClusterData.math(0), "math");
    // Psi_new[math] = (0 errors + 5 * 0.5 mean error) / (4 + 5).
    assertEquals(2.5 / 9, router.profiles().get("newcomer").clusterError()[math], 1e-12);
    assertArrayEquals(cheapBefore, router.profiles().get("cheap").clusterError());
    assertArrayEquals(strongBefore, router.profiles().get("strong").clusterError());
    assertEquals(clustersBefore,
        train.queries().stream().map(q -> router.clusterOf(q.prompt(), q.task())).toList());

    var withNewcomer = new ArrayList<>(ModelCatalog.fromRecorded(train));
    withNewcomer.add(new dev.switchyard.protocol.ModelCard("newcomer", 1, 1, 1000, 100, 0, null));
    Query mathQuery = new Query("x", List.of(dev.switchyard.protocol.ChatMessage.user(ClusterData.math(7))),
        "math", null);
    PlanAction after = router.planner(0.5).next(PlanState.start(mathQuery, withNewcomer));
    assertEquals("newcomer", ((PlanAction.Route) after).modelId());
    // A planner made before the addition keeps its snapshot.
    assertEquals("strong", ((PlanAction.Route) before.next(PlanState.start(mathQuery, withNewcomer))).modelId());
  }

  @Test
  void addingAModelNeedsLabelledQueries() {
    UniRoute router = fitted(train());
    var e = assertThrows(IllegalArgumentException.class, () -> router.addModel("m", 1, List.of()));
    assertEquals("adding model m needs at least one labelled query", e.getMessage());
  }
}
