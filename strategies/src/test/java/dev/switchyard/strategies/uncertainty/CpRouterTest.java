package dev.switchyard.strategies.uncertainty;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.cascade.Recorded;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CpRouterTest {
  private static final String MC = "Question %d\n\nChoices:\nA: one\nB: two\nC: three\nD: four\n\nAnswer: ";

  /**
   * A synthetic model whose log-probability {@code x} in [-3, 0] predicts correctness with
   * {@code P(correct) = sigmoid(3 + 2x)}; half multiple-choice (4 options), half open questions.
   */
  static RecordedDataset synthetic(String split, int n, long seed) {
    Random random = new Random(seed);
    Recorded r = Recorded.models("small", "big");
    for (int i = 0; i < n; i++) {
      double x = -3 * random.nextDouble();
      boolean correct = random.nextDouble() < 1 / (1 + Math.exp(-(3 + 2 * x)));
      String prompt = i % 2 == 0 ? String.format(MC, i) : "Open question " + i + "?";
      r.query(split + i, "t", split, prompt, o(correct ? 1 : 0, 1, x, correct ? "A" : "B"), o(1, 10, -0.1, "A"));
    }
    return r.build();
  }

  @Test
  void conformalSetCoversAtRequestedLevel() {
    CpRouter router = new CpRouter(0.5, 30);
    router.fit(synthetic("train", 2000, 21), StrategyContext.seeded(4));
    RecordedDataset fresh = synthetic("test", 4000, 22);
    for (double alpha : new double[] {0.1, 0.2, 0.3}) {
      double coverage = router.empiricalCoverage(fresh, "small", alpha);
      // Split conformal: coverage is 1 - alpha in expectation over the calibration draw; with 1,000
      // calibration and 4,000 test queries its standard deviation is about 0.014 (over ten seeds the mean
      // was 0.902 / 0.803 / 0.704), so the stated tolerance is 0.03.
      assertTrue(Math.abs(coverage - (1 - alpha)) <= 0.03,
          "alpha " + alpha + ": empirical coverage " + coverage + " not within 0.03 of " + (1 - alpha));
      double routing = router.routingSetCoverage(fresh, "small", alpha);
      assertTrue(routing >= coverage, "routing sets contain the conformal sets: " + routing + " < " + coverage);
    }
  }

  @Test
  void routesToStrongModelWhenTheSetIsLarge() {
    Recorded r = Recorded.models("small", "big");
    for (int i = 0; i < 40; i++) {
      boolean easy = i % 2 == 0;
      r.query("q" + i, "t", "train", "Open question " + i + "?",
          o(easy ? 1 : 0, 1, easy ? -0.02 - 0.001 * i : -2.5 - 0.01 * i, easy ? "A" : "B"), o(1, 10, -0.1, "A"));
    }
    r.query("sure", "t", "test", "Open question sure?", o(1, 1, -0.03, "A"), o(1, 10, -0.1, "A"));
    r.query("unsure", "t", "test", "Open question unsure?", o(0, 1, -2.6, "B"), o(1, 10, -0.1, "A"));
    RecordedDataset all = r.build();
    RecordedDataset train = all.split("train");
    CpRouter router = new CpRouter(0.5, 30);
    router.fit(train, StrategyContext.seeded(2));
    assertEquals(List.of("small", "big"), router.chain());
    var planner = router.planner(0.1);
    List<dev.switchyard.strategies.data.RecordedQuery> test = all.split("test").queries();
    assertEquals(List.of("small"), Recorded.calls(planner, test.get(0), train));
    assertEquals(List.of("small", "big"), Recorded.calls(planner, test.get(1), train));
  }

  @Test
  void predictionSetGrowsAsAlphaShrinks() {
    CpRouter router = new CpRouter(0.5, 30);
    router.fit(synthetic("train", 400, 3), StrategyContext.seeded(4));
    int large = router.routingSet("small", "t", 0.6, 4, 0.01).size();
    int small = router.routingSet("small", "t", 0.6, 4, 0.5).size();
    assertEquals(4, large);
    assertEquals(1, small);
  }

  @Test
  void optionCountReadsMultipleChoiceLetters() {
    assertEquals(4, CpRouter.optionCount(String.format(MC, 1)));
    assertEquals(2, CpRouter.optionCount("Who wrote Moby-Dick?"));
  }
}
