package dev.switchyard.strategies.cascade;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PostGenerationFamilyTest {
  /** Three models of rising cost and accuracy, confidence informative, two tasks; seeded. */
  static RecordedDataset synthetic(String split, int n, long seed) {
    Random random = new Random(seed);
    Recorded r = Recorded.models("small", "medium", "large");
    double[] skill = {0.5, 1.5, 3.0};
    double[] cost = {1, 3, 10};
    for (int i = 0; i < n; i++) {
      String task = i % 2 == 0 ? "maths" : "facts";
      double difficulty = random.nextGaussian();
      var outcomes = new dev.switchyard.strategies.data.RecordedOutcome[3];
      for (int m = 0; m < 3; m++) {
        double p = 1 / (1 + Math.exp(-(skill[m] - difficulty)));
        boolean correct = random.nextDouble() < p;
        double conf = Math.log(Math.max(1e-3, Math.min(1, p + 0.2 * random.nextGaussian())));
        outcomes[m] = o(correct ? 1 : 0, cost[m], conf, correct ? "A" : "wrong" + random.nextInt(3));
      }
      r.query(split + i, task, split, task + " question " + i + (task.equals("maths") ? " 2 + " + i : " who"),
          outcomes);
    }
    return r.build();
  }

  @Test
  void everyMemberIsDescribedAndNamedUniquely() {
    Set<String> names = new HashSet<>();
    for (Supplier<Strategy> s : PostGenerationFamily.members()) {
      var info = s.get().info();
      assertTrue(names.add(info.name()), "duplicate name " + info.name());
      assertFalse(info.citation().isBlank(), info.name() + " has no citation");
      assertTrue(info.citation().contains("arXiv"), info.name() + " cites no arXiv id");
      assertFalse(info.adaptation().isBlank(), info.name() + " states no adaptation");
    }
    assertEquals(11, names.size());
    assertTrue(StrategyCatalog.all().keySet().containsAll(names));
  }

  @Test
  void everyMemberIsDeterministicGivenTheSeedAndAnswersEveryQuery() {
    RecordedDataset train = synthetic("train", 200, 1);
    RecordedDataset test = synthetic("test", 40, 2);
    for (Supplier<Strategy> supplier : PostGenerationFamily.members()) {
      Strategy first = supplier.get();
      Strategy second = supplier.get();
      first.fit(train, StrategyContext.seeded(42));
      second.fit(train, StrategyContext.seeded(42));
      double[] grid = first.tradeoffs();
      assertTrue(grid.length >= 2, first.info().name() + " sweeps fewer than two points");
      for (double t : new double[] {grid[0], grid[grid.length / 2], grid[grid.length - 1]}) {
        List<List<String>> a = new ArrayList<>();
        List<List<String>> b = new ArrayList<>();
        for (RecordedQuery q : test.queries()) {
          var outcome = Recorded.replay(first.planner(t), q, train);
          assertFalse(outcome.calls().isEmpty(), first.info().name() + " called no model for " + q.id());
          a.add(outcome.calls());
          b.add(Recorded.replay(second.planner(t), q, train).calls());
        }
        assertEquals(a, b, first.info().name() + " differs between two fits with the same seed at " + t);
      }
    }
  }
}
