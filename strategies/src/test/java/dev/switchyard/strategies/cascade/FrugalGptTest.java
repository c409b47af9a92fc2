package dev.switchyard.strategies.cascade;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrugalGptTest {
  /** Cheap (cost 1) right exactly when confident, on half the queries; strong (cost 10) always right. */
  static Recorded data() {
    Recorded r = Recorded.models("cheap", "strong");
    for (int i = 0; i < 40; i++) {
      boolean easy = i % 2 == 0;
      r.query("q" + i, "t", "train", "question " + i,
          o(easy ? 1 : 0, 1, easy ? -0.02 : -3.0, easy ? "A" : "B"), o(1, 10, -0.1, "A"));
    }
    return r;
  }

  @Test
  void budgetSearchPicksTheCascadeThatFitsTheBudget() {
    FrugalGpt frugal = new FrugalGpt();
    frugal.fit(data().build(), StrategyContext.seeded(3));
    // Budget 1 (10% of the strong model's cost): only the cheap model alone fits.
    FrugalGpt.Config small = frugal.configFor(0.1);
    assertEquals(List.of("cheap"), small.models());
    assertEquals(0.5, small.quality(), 1e-12);
    // Budget 7: cheap then strong on the unsure half costs 1 + 0.5 * 10 = 6 and is always right.
    FrugalGpt.Config large = frugal.configFor(0.7);
    assertEquals(List.of("cheap", "strong"), large.models());
    assertEquals(1.0, large.quality(), 1e-12);
    assertEquals(6.0, large.cost(), 1e-12);
  }

  @Test
  void stopJudgeAcceptsConfidentCheapAnswerAndEscalatesTheRest() {
    Recorded r = data();
    RecordedDataset train = r.build();
    FrugalGpt frugal = new FrugalGpt();
    frugal.fit(train, StrategyContext.seeded(3));
    r.query("easy", "t", "test", "question easy", o(1, 1, -0.02, "A"), o(1, 10, -0.1, "A"));
    r.query("hard", "t", "test", "question hard", o(0, 1, -3.0, "B"), o(1, 10, -0.1, "A"));
    var all = r.build().queries();
    var planner = frugal.planner(0.7);
    assertEquals(List.of("cheap"), Recorded.calls(planner, all.get(40), train));
    assertEquals(List.of("cheap", "strong"), Recorded.calls(planner, all.get(41), train));
  }

  @Test
  void rejectsNonPositiveBudget() {
    FrugalGpt frugal = new FrugalGpt();
    frugal.fit(data().build(), StrategyContext.seeded(3));
    var e = assertThrows(IllegalArgumentException.class, () -> frugal.planner(0));
    assertEquals("budget fraction must be > 0, got 0.0", e.getMessage());
  }
}
