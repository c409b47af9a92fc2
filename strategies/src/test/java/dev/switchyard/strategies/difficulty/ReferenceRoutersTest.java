package dev.switchyard.strategies.difficulty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceRoutersTest {
  /** Task "maths": cheap 0.25 at cost 1, strong 1.0 at cost 3. Task "trivia": both always right. */
  private static RecordedDataset data() {
    List<RecordedQuery> q = List.of(
        query("m1", "maths", "add two and two numbers", 0, 1),
        query("m2", "maths", "add three and four numbers", 0, 1),
        query("m3", "maths", "add five and six numbers", 0, 1),
        query("m4", "maths", "add seven and one numbers", 1, 1),
        query("t1", "trivia", "capital city of france", 1, 1),
        query("t2", "trivia", "capital city of spain", 1, 1));
    return new RecordedDataset("tiny", List.of("cheap", "strong"), q, true);
  }

  private static RecordedQuery query(String id, String task, String prompt, int cheap, int strong) {
    Map<String, RecordedOutcome> o = new LinkedHashMap<>();
    o.put("cheap", new RecordedOutcome(cheap, 1, 10, 1, 10, Double.NaN, "x"));
    o.put("strong", new RecordedOutcome(strong, 3, 10, 1, 10, Double.NaN, "y"));
    return new RecordedQuery(id, task, "train", prompt, o);
  }

  @Test
  void taskBestPicksPerTaskTheModelOfHighestCostAdjustedQuality() {
    TaskBestRouter router = new TaskBestRouter();
    router.fit(data(), StrategyContext.seeded(1));
    // c_ref = 3. maths: strong wins while 1.0 - 3 lambda / 3 > 0.25 - lambda / 3, i.e. lambda < 1.125.
    assertEquals("strong", router.choice("maths", 1.1));
    assertEquals("cheap", router.choice("maths", 1.2));
    // trivia: equal quality, the cheaper model wins even at lambda = 0.
    assertEquals("cheap", router.choice("trivia", 0));
    // unseen task: pooled (cheap 0.5, strong 1.0): strong while 0.5 > 2 lambda / 3.
    assertEquals("strong", router.choice("geography", 0.7));
    assertEquals("cheap", router.choice("geography", 0.8));
  }

  @Test
  void knnEstimatesEachModelFromTheNearestTrainingQueries() {
    KnnRouter router = new KnnRouter(2);
    router.fit(data(), StrategyContext.seeded(1));
    double[][] est = router.estimates("capital city of italy");
    assertArrayEquals(new double[] {1, 1}, est[0], 1e-12);
    assertArrayEquals(new double[] {1, 3}, est[1], 1e-12);
    var cards = ModelCatalog.fromRecorded(data());
    Query q = new Query("x", List.of(ChatMessage.user("capital city of italy")), null, Budget.unlimited());
    assertEquals("cheap", ((PlanAction.Route) router.planner(0).next(PlanState.start(q, cards))).modelId());
    Query maths = new Query("y", List.of(ChatMessage.user("add eight and nine numbers")), null, Budget.unlimited());
    assertEquals("strong", ((PlanAction.Route) router.planner(0).next(PlanState.start(maths, cards))).modelId());
  }
}
