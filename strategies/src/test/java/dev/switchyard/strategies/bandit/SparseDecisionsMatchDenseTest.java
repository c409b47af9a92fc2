package dev.switchyard.strategies.bandit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.strategies.pipeline.RouteDecision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A LinUCB decision sums over the context's non-zero features and ranks arms without boxing; both must give the
 * former dense loops' and sorted list's results bit for bit, which are kept here as the reference.
 */
class SparseDecisionsMatchDenseTest {
  private static final int D = ContextFeaturizer.standard().dimension();

  @Test
  void sparseMeanAndWidthAreTheDenseOnesBitForBit() {
    Random random = new Random(5);
    ContextFeaturizer featurizer = ContextFeaturizer.standard();
    String[] texts = {"", "What is 2+2?", "Answer the multiple-choice question below.\nA: 1\nB: 2",
        "naïve café", "a b c d e f g h i j k l m n o p q r s t u v w x y z"};
    for (int trial = 0; trial < 50; trial++) {
      LinearArm arm = new LinearArm(D, 1.0);
      List<double[]> contexts = new ArrayList<>();
      for (int u = 0; u < 200; u++) {
        double[] x = featurizer.features(texts[random.nextInt(texts.length)] + " " + random.nextInt(1000),
            random.nextBoolean() ? "mmlu" : null);
        contexts.add(x);
        arm.update(x, random.nextDouble(), random.nextInt(3) == 0 ? 2.0 : 1.0);
      }
      for (double[] x : contexts) {
        assertEquals(Double.doubleToRawLongBits(denseMean(arm, x)), Double.doubleToRawLongBits(arm.mean(x)));
        assertEquals(Double.doubleToRawLongBits(denseWidth(arm, x)), Double.doubleToRawLongBits(arm.width(x)));
      }
    }
    double[] zero = new double[D];
    LinearArm fresh = new LinearArm(D, 1.0);
    assertEquals(Double.doubleToRawLongBits(denseMean(fresh, zero)), Double.doubleToRawLongBits(fresh.mean(zero)));
    assertEquals(Double.doubleToRawLongBits(denseWidth(fresh, zero)), Double.doubleToRawLongBits(fresh.width(zero)));
  }

  @Test
  void rankingIsTheFormerSortsWithTiesAndSignedZeros() {
    Random random = new Random(9);
    double[] values = {0.0, -0.0, 1.0, -1.0, 0.5, 0.5, Double.NaN, Double.POSITIVE_INFINITY};
    for (int trial = 0; trial < 2000; trial++) {
      int n = 1 + random.nextInt(9);
      List<String> arms = new ArrayList<>();
      double[] scores = new double[n];
      for (int i = 0; i < n; i++) {
        arms.add("m" + i);
        scores[i] = random.nextBoolean() ? values[random.nextInt(values.length)] : random.nextInt(3) / 2.0;
      }
      RouteDecision current = Arms.rank(arms, m -> scores[Integer.parseInt(m.substring(1))], "r");
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      order.sort(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
      assertEquals(order.stream().map(arms::get).toList(), current.ranking());
      assertEquals(Double.doubleToRawLongBits(scores[order.get(0)]), Double.doubleToRawLongBits(current.score()));
    }
  }

  /** The former dense loops over {@code theta} and {@code A^-1}, from the arm's own statistics. */
  private static double denseMean(LinearArm arm, double[] x) {
    double[] theta = arm.theta();
    double s = 0;
    for (int i = 0; i < D; i++) {
      s += theta[i] * x[i];
    }
    return s;
  }

  private static double denseWidth(LinearArm arm, double[] x) {
    org.ejml.data.DMatrixRMaj a = new org.ejml.data.DMatrixRMaj(D, D, true, arm.aRowMajor());
    org.ejml.data.DMatrixRMaj inv = new org.ejml.data.DMatrixRMaj(D, D);
    org.ejml.dense.row.CommonOps_DDRM.invert(a, inv);
    double s = 0;
    for (int i = 0; i < D; i++) {
      double row = 0;
      for (int j = 0; j < D; j++) {
        row += inv.get(i, j) * x[j];
      }
      s += x[i] * row;
    }
    return Math.sqrt(Math.max(0, s));
  }
}
