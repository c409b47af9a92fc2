package dev.switchyard.simulator.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.cascade.AgreementCascade;
import dev.switchyard.strategies.data.RecordedDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's quality bar on the recorded zellinger-cascade9 outcomes: trained on train, reported on test, the
 * flagship must beat every reference row of the issue at every budget. Skipped when the data is absent.
 */
class FlagshipQualityBarTest {
  /** The issue's reference rows: per-task best model, tuned confidence cascade, kNN-25 (q@5..q@100). */
  private static final double[][] REFERENCES = {
    {0.625, 0.745, 0.745, 0.811, 0.824},
    {0.596, 0.762, 0.783, 0.818, 0.832},
    {0.607, 0.704, 0.754, 0.790, 0.818},
  };

  @Test
  void flagshipBeatsEveryReferenceRowAtEveryBudgetOnTheTestSplit() {
    Path data = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"),
        "zellinger-cascade9", "queries.jsonl");
    Assumptions.assumeTrue(Files.isRegularFile(data), "recorded data not found at " + data + "; skipping");
    Evaluation evaluation = new Evaluation(RecordedDataset.load(data), "test", 1);
    Yardstick y = evaluation.yardstick();
    assertEquals("gpt-4o", y.bestModel());
    assertEquals(0.835, y.bestQuality(), 0.0005);
    assertEquals(5.63e-4, y.bestCost(), 0.005e-4);
    FrontierPoint oracle = evaluation.oracle();
    assertEquals(0.959, oracle.quality(), 0.001);
    assertEquals(9.1, 100 * oracle.costUsd() / y.bestCost(), 0.1);

    PolicyResult flagship = evaluation.strategy("agreement-cascade", AgreementCascade.flagship());
    double[] q = flagship.summary().qualityAtBudget();
    for (double[] reference : REFERENCES) {
      for (int i = 0; i < q.length; i++) {
        assertTrue(q[i] > reference[i], "q@" + Evaluation.BUDGET_PERCENTS[i] + "% = " + q[i] + " does not beat "
            + reference[i] + "; flagship row " + Arrays.toString(q));
      }
    }
    assertTrue(flagship.summary().matchBestCostPct() <= 100,
        "matches the best single model within its cost: " + flagship.summary().matchBestCostPct());
  }
}
