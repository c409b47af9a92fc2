package dev.switchyard.strategies.cascade;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfidenceCascadeTest {
  /** Cheap model right exactly when confident; strong model always right. */
  static Recorded data() {
    Recorded r = Recorded.models("cheap", "strong");
    for (int i = 0; i < 20; i++) {
      boolean easy = i % 2 == 0;
      r.query("q" + i, "t", "train", "question " + i,
          o(easy ? 1 : 0, 1, easy ? -0.05 : -2.5, easy ? "A" : "B"), o(1, 10, -0.1, "A"));
    }
    return r;
  }

  @Test
  void escalatesWhenConfidenceBelowThreshold() {
    Recorded r = data();
    RecordedDataset train = r.build();
    ConfidenceCascade cascade = new ConfidenceCascade();
    cascade.fit(train, StrategyContext.seeded(1));
    assertEquals(List.of("cheap", "strong"), cascade.chain());
    r.query("hard", "t", "test", "hard one", o(0, 1, -2.5, "B"), o(1, 10, -0.1, "A"));
    r.query("easy", "t", "test", "easy one", o(1, 1, -0.05, "A"), o(1, 10, -0.1, "A"));
    RecordedDataset all = r.build();
    var planner = cascade.planner(0.5);
    assertEquals(List.of("cheap", "strong"), Recorded.calls(planner, all.queries().get(20), train));
    assertEquals(List.of("cheap"), Recorded.calls(planner, all.queries().get(21), train));
  }

  @Test
  void minusInfinityConfidenceCountsAsVeryUnsure() {
    Recorded r = data();
    r.query("never", "t", "train", "odd one", o(0, 1, Double.NEGATIVE_INFINITY, "C"), o(1, 10, -0.1, "A"));
    ConfidenceCascade cascade = new ConfidenceCascade();
    cascade.fit(r.build(), StrategyContext.seeded(1));
    double p = cascade.calibratedConfidence(Recorded.response("cheap", "C", Double.NEGATIVE_INFINITY, null));
    assertTrue(p < 0.01, "calibrated confidence of a -Infinity signal was " + p);
  }
}
