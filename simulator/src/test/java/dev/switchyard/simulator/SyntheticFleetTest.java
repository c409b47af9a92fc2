package dev.switchyard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seeded checks of the generator's statistical properties (seed 42, 4000 queries). */
class SyntheticFleetTest {
  private static final SyntheticFleet FLEET = new SyntheticFleet(42);
  private static final RecordedDataset DATA = FLEET.generate(4000, 0.2);

  @Test
  void hasNineModelsNamedBySizeAndBothSplits() {
    assertEquals(List.of("synthetic-1b", "synthetic-3b", "synthetic-8b", "synthetic-14b", "synthetic-32b",
        "synthetic-70b", "synthetic-120b", "synthetic-405b", "synthetic-671b"), DATA.models());
    assertEquals(800, DATA.split("train").size());
    assertEquals(3200, DATA.split("test").size());
    assertEquals(SyntheticFleet.TASKS, DATA.tasks().stream().sorted(Comparator.comparing(SyntheticFleet.TASKS::indexOf))
        .toList());
  }

  @Test
  void strongerModelsScoreHigher() {
    Map<String, Double> theta = FLEET.abilities();
    List<String> byAbility = new ArrayList<>(DATA.models());
    byAbility.sort(Comparator.comparingDouble(theta::get));
    for (int i = 0; i + 1 < byAbility.size(); i++) {
      String weaker = byAbility.get(i);
      String stronger = byAbility.get(i + 1);
      // Neighbours may differ by little ability, so the check is for a gap of two places, and monotone
      // within 2 points (the standard error of a mean of 4000 Bernoullis is <= 0.8 points).
      assertTrue(DATA.meanScore(stronger) > DATA.meanScore(weaker) - 0.02,
          stronger + " " + DATA.meanScore(stronger) + " vs " + weaker + " " + DATA.meanScore(weaker));
      if (i + 2 < byAbility.size()) {
        assertTrue(DATA.meanScore(byAbility.get(i + 2)) > DATA.meanScore(weaker));
      }
    }
    assertTrue(DATA.meanScore("synthetic-671b") - DATA.meanScore("synthetic-1b") > 0.3,
        "a wide spread between the smallest and the largest model");
  }

  @Test
  void costRisesWithSize() {
    for (int i = 0; i + 1 < DATA.models().size(); i++) {
      assertTrue(DATA.meanCost(DATA.models().get(i + 1)) > DATA.meanCost(DATA.models().get(i)));
    }
  }

  @Test
  void confidenceIsInformativeAboutCorrectness() {
    for (String m : DATA.models()) {
      double auc = auc(DATA.queries().stream().map(q -> q.outcome(m)).toList());
      // Seeded; the signal adds unit noise to the true logit plus a 0.75 shift by correctness.
      assertTrue(auc > 0.75 && auc < 0.99, m + " confidence AUC " + auc);
      assertTrue(DATA.queries().stream().allMatch(q -> q.outcome(m).confidence() <= 0), "log-probability-like");
    }
  }

  @Test
  void theSameSeedGivesTheSameData() {
    RecordedDataset again = new SyntheticFleet(42).generate(4000, 0.2);
    for (int i = 0; i < DATA.size(); i += 97) {
      RecordedQuery a = DATA.queries().get(i);
      RecordedQuery b = again.queries().get(i);
      assertEquals(a, b);
    }
    RecordedDataset other = new SyntheticFleet(43).generate(4000, 0.2);
    assertTrue(other.meanScore("synthetic-8b") != DATA.meanScore("synthetic-8b"));
  }

  @Test
  void refusesBadSizes() {
    assertThrows(IllegalArgumentException.class, () -> FLEET.generate(5, 0.2));
    assertThrows(IllegalArgumentException.class, () -> FLEET.generate(100, 1.0));
  }

  /** Probability that a random correct answer has higher confidence than a random wrong one. */
  static double auc(List<RecordedOutcome> outcomes) {
    List<RecordedOutcome> sorted = new ArrayList<>(outcomes);
    sorted.sort(Comparator.comparingDouble(RecordedOutcome::confidence));
    double rankSum = 0;
    long positives = 0;
    for (int i = 0; i < sorted.size(); i++) {
      if (sorted.get(i).score() > 0.5) {
        rankSum += i + 1;
        positives++;
      }
    }
    long negatives = sorted.size() - positives;
    return (rankSum - positives * (positives + 1) / 2.0) / (positives * (double) negatives);
  }
}
