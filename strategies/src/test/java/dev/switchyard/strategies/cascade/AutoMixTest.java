package dev.switchyard.strategies.cascade;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoMixTest {
  /** Small model right exactly when its self-verification is high; large model always right. */
  static Recorded data() {
    Recorded r = Recorded.models("small", "large");
    for (int i = 0; i < 60; i++) {
      boolean easy = i % 3 != 0;
      double conf = easy ? -0.01 - 0.001 * i : -2.0 - 0.01 * i;
      r.query("q" + i, "t", "train", "question " + i, o(easy ? 1 : 0, 1, conf, easy ? "A" : "B"),
          o(1, 10, -0.1, "A"));
    }
    r.query("hard", "t", "test", "question hard", o(0, 1, -2.3, "B"), o(1, 10, -0.1, "A"));
    r.query("easy", "t", "test", "question easy", o(1, 1, -0.02, "A"), o(1, 10, -0.1, "A"));
    return r;
  }

  static RecordedDataset train(Recorded r) {
    return r.build().split("train");
  }

  @Test
  void routesToLargeModelWhenBeliefInSmallAnswerIsLow() {
    Recorded r = data();
    AutoMix automix = new AutoMix();
    automix.fit(train(r), StrategyContext.seeded(1));
    assertEquals(List.of("small", "large"), automix.models(0.3));
    var planner = automix.planner(0.3);
    var test = r.build().split("test").queries();
    assertEquals(List.of("small", "large"), Recorded.calls(planner, test.get(0), train(r)));
    assertEquals(List.of("small"), Recorded.calls(planner, test.get(1), train(r)));
  }

  @Test
  void aHighCostWeightNeverPaysForTheLargeModel() {
    Recorded r = data();
    AutoMix automix = new AutoMix();
    automix.fit(train(r), StrategyContext.seeded(1));
    var test = r.build().split("test").queries();
    assertEquals(List.of("small"), automix.models(5));
    assertEquals(List.of("small"), Recorded.calls(automix.planner(5), test.get(0), train(r)));
  }

  @Test
  void beliefFollowsTheObservation() {
    Recorded r = data();
    AutoMix automix = new AutoMix();
    automix.fit(train(r), StrategyContext.seeded(1));
    var pomdp = automix.pomdp(0.3);
    double low = AutoMix.believedCorrect(pomdp.belief(new int[] {0}), 0);
    double high = AutoMix.believedCorrect(pomdp.belief(new int[] {5}), 0);
    assertTrue(low < 0.2 && high > 0.8, "belief after low/high observation: " + low + " / " + high);
  }
}
