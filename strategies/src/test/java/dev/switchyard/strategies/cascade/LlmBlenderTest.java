package dev.switchyard.strategies.cascade;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.cascade.support.AnswerSignal;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmBlenderTest {
  /** Three equally good models; each is wrong on its own third of the queries, when the other two agree. */
  static Recorded data() {
    Recorded r = Recorded.models("x", "y", "z");
    for (int i = 0; i < 60; i++) {
      int wrong = i % 3;
      r.query("q" + i, "t", "train", "question " + i,
          o(wrong == 0 ? 0 : 1, 1, -0.3, wrong == 0 ? "C" : "A"),
          o(wrong == 1 ? 0 : 1, 2, -0.3, wrong == 1 ? "D" : "A"),
          o(wrong == 2 ? 0 : 1, 3, -0.3, wrong == 2 ? "B" : "A"));
    }
    r.query("t1", "t", "test", "question t1", o(0, 1, -0.3, "C"), o(1, 2, -0.3, "B"), o(1, 3, -0.3, "B"));
    return r;
  }

  @Test
  void pairRankerLearnsThatAgreedAnswersWin() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    LlmBlender blender = new LlmBlender();
    blender.fit(train, StrategyContext.seeded(1));
    AnswerSignal lone = new AnswerSignal("x", "C", -0.3, 1);
    AnswerSignal backed = new AnswerSignal("y", "B", -0.3, 1);
    AnswerSignal backer = new AnswerSignal("z", "B", -0.3, 1);
    List<AnswerSignal> all = List.of(lone, backed, backer);
    double p = blender.prefers(backed, lone, "t", all);
    assertTrue(p > 0.8, "P(agreed answer beats lone answer) = " + p);
    assertEquals(1 - p, blender.prefers(lone, backed, "t", all), 1e-12);
  }

  @Test
  void fullPoolAnswersWithTheAgreedAnswer() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    LlmBlender blender = new LlmBlender();
    blender.fit(train, StrategyContext.seeded(1));
    assertEquals(List.of("x", "y", "z"), blender.pool());
    var outcome = Recorded.replay(blender.planner(3), r.build().split("test").queries().get(0), train);
    assertEquals(List.of("x", "y", "z"), outcome.calls());
    assertEquals(1.0, outcome.score());
    assertEquals("B", outcome.episode().answer());
  }

  @Test
  void poolStartsWithTheModelThatBuysMostAccuracyPerCost() {
    Recorded r = Recorded.models("junk", "good", "strong");
    for (int i = 0; i < 50; i++) {
      boolean goodRight = i % 5 != 0;
      r.query("q" + i, "t", "train", "question " + i, o(0, 1, -0.3, "J" + (i % 3)),
          o(goodRight ? 1 : 0, 2, goodRight ? -0.05 : -2.0, goodRight ? "A" : "G"), o(1, 10, -0.1, "A"));
    }
    LlmBlender blender = new LlmBlender();
    blender.fit(r.build(), StrategyContext.seeded(1));
    // good: +0.8 accuracy for cost 2 beats strong's +1.0 for cost 10; junk never helps, so it comes last.
    assertEquals(List.of("good", "strong", "junk"), blender.pool());
  }

  @Test
  void poolOfOneCallsOnlyTheFirstModel() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    LlmBlender blender = new LlmBlender();
    blender.fit(train, StrategyContext.seeded(1));
    var outcome = Recorded.replay(blender.planner(1), r.build().split("test").queries().get(0), train);
    assertEquals(List.of("x"), outcome.calls());
  }
}
