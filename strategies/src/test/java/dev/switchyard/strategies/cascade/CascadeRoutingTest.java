package dev.switchyard.strategies.cascade;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CascadeRoutingTest {
  /**
   * Cheap (cost 1) is right on the half where it is confident; middle (cost 5) is right exactly when cheap is
   * (it adds nothing after cheap failed); strong (cost 10) is always right.
   */
  static Recorded data() {
    Recorded r = Recorded.models("cheap", "middle", "strong");
    for (int i = 0; i < 60; i++) {
      boolean easy = i % 2 == 0;
      r.query("q" + i, "t", "train", "question number " + i,
          o(easy ? 1 : 0, 1, easy ? -0.02 : -3.0, easy ? "A" : "B"),
          o(easy ? 1 : 0, 5, -0.5, easy ? "A" : "C"),
          o(1, 10, -0.1, "A"));
    }
    r.query("hard", "t", "test", "question number hard", o(0, 1, -3.0, "B"), o(0, 5, -0.5, "C"),
        o(1, 10, -0.1, "A"));
    r.query("easy", "t", "test", "question number easy", o(1, 1, -0.02, "A"), o(1, 5, -0.5, "A"),
        o(1, 10, -0.1, "A"));
    return r;
  }

  @Test
  void cascadeRoutingSkipsModelWithLowGainPerCost() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    CascadeRouting routing = new CascadeRouting();
    routing.fit(train, StrategyContext.seeded(1));
    var test = r.build().split("test").queries();
    // lambda = 0.7: cheap first (0.5 - 0.07 beats strong's 1 - 0.7); after a failed-looking cheap answer the
    // middle model's updated quality is near 0, so it is skipped for the strong one.
    var planner = routing.planner(0.7);
    assertEquals(List.of("cheap", "strong"), Recorded.calls(planner, test.get(0), train));
    assertEquals(List.of("cheap"), Recorded.calls(planner, test.get(1), train));

    PlanState afterCheap = PlanState.start(Query.ofText("hard", "question number hard"),
            ModelCatalog.fromRecorded(train))
        .with(Attempt.answered(Recorded.response("cheap", "B", -3.0, null)));
    var values = routing.netValues(afterCheap, 0.7);
    assertTrue(values.get("middle") < 0, "middle should not be worth its cost: " + values);
    assertTrue(values.get("strong") > 0, "strong should be worth its cost: " + values);
    assertEquals(Optional.of("strong"), routing.nextModel(afterCheap, 0.7));
  }

  @Test
  void aSmallCostWeightRoutesStraightToTheStrongModel() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    CascadeRouting routing = new CascadeRouting();
    routing.fit(train, StrategyContext.seeded(1));
    var test = r.build().split("test").queries();
    assertEquals(List.of("strong"), Recorded.calls(routing.planner(0.1), test.get(0), train));
  }
}
