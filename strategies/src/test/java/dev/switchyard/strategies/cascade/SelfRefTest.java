package dev.switchyard.strategies.cascade;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelfRefTest {
  /** Base right when confident; strong right on all but the queries where it is unsure. */
  static Recorded data() {
    Recorded r = Recorded.models("tiny", "base", "strong");
    for (int i = 0; i < 40; i++) {
      boolean easy = i % 2 == 0;
      boolean strongKnows = i % 4 != 1;
      r.query("q" + i, "t", "train", "question " + i,
          o(0, 0.5, -3, "Z"),
          o(easy ? 1 : 0, 1, easy ? -0.02 : -3.0, easy ? "A" : "B"),
          o(strongKnows ? 1 : 0, 10, strongKnows ? -0.01 : -4.0, strongKnows ? "A" : "C"));
    }
    r.query("hard", "t", "test", "question hard", o(0, 0.5, -3, "Z"), o(0, 1, -3.0, "B"), o(1, 10, -0.01, "A"));
    r.query("easy", "t", "test", "question easy", o(0, 0.5, -3, "Z"), o(1, 1, -0.02, "A"), o(1, 10, -0.01, "A"));
    r.query("unknowable", "t", "test", "question odd", o(0, 0.5, -3, "Z"), o(0, 1, -3.0, "B"),
        o(0, 10, -4.0, "C"));
    return r;
  }

  @Test
  void routesToStrongModelWhenConfidenceTokenIsLow() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    SelfRef selfRef = new SelfRef();
    selfRef.fit(train, StrategyContext.seeded(1));
    assertEquals(List.of("base", "strong"), selfRef.pair());
    var test = r.build().split("test").queries();
    var planner = selfRef.planner(0.5);
    assertEquals(List.of("base", "strong"), Recorded.calls(planner, test.get(0), train));
    assertEquals(List.of("base"), Recorded.calls(planner, test.get(1), train));
  }

  @Test
  void rejectsWhenTheStrongModelIsAlsoUnsure() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    SelfRef selfRef = new SelfRef(0.5);
    selfRef.fit(train, StrategyContext.seeded(1));
    var test = r.build().split("test").queries();
    var outcome = Recorded.replay(selfRef.planner(0.5), test.get(2), train);
    assertTrue(outcome.abstained(), "expected a rejection, got an answer from " + outcome.answerModel());
    assertEquals(List.of("base", "strong"), outcome.calls());
    var answered = Recorded.replay(selfRef.planner(0.5), test.get(0), train);
    assertEquals("strong", answered.answerModel());
  }
}
