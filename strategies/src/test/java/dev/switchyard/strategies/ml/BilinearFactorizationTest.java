package dev.switchyard.strategies.ml;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BilinearFactorizationTest {
  private static final double[][] X = {{1, 0, 1}, {0, 1, 1}};
  private static final BilinearFactorization.Settings SETTINGS = new BilinearFactorization.Settings(2, 300, 0.1, 1e-4, 3);

  @Test
  void pointwiseFitLearnsWhichModelSolvesWhichKindOfQuery() {
    // model 0 solves queries of kind A (feature 0), model 1 those of kind B (feature 1)
    double[][] x = new double[40][];
    double[][] y = new double[40][];
    for (int i = 0; i < 40; i++) {
      x[i] = X[i % 2];
      y[i] = i % 2 == 0 ? new double[] {1, 0} : new double[] {0, 1};
    }
    BilinearFactorization f = BilinearFactorization.fitPointwise(x, y, SETTINGS);
    double[] a = f.scores(X[0]);
    double[] b = f.scores(X[1]);
    assertTrue(a[0] > a[1] + 1, "kind A: " + a[0] + " vs " + a[1]);
    assertTrue(b[1] > b[0] + 1, "kind B: " + b[1] + " vs " + b[0]);
  }

  @Test
  void pairwiseFitLearnsQueryDependentPreferences() {
    List<BilinearFactorization.Comparison> comparisons = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // on kind A, model 0 beats model 1; on kind B, model 1 beats model 0
      comparisons.add(new BilinearFactorization.Comparison(i % 2, 0, 1, i % 2 == 0 ? 1 : 0, 1));
    }
    BilinearFactorization f = BilinearFactorization.fitPairwise(X, comparisons, 2, SETTINGS);
    double[] a = f.scores(X[0]);
    double[] b = f.scores(X[1]);
    assertTrue(a[0] - a[1] > 1, "kind A margin " + (a[0] - a[1]));
    assertTrue(b[1] - b[0] > 1, "kind B margin " + (b[1] - b[0]));
  }
}
