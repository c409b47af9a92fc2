package dev.switchyard.strategies.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LearnersTest {
  @Test
  void logisticRegressionWithOnlyAnInterceptRecoversTheBaseRate() {
    double[][] x = {{1}, {1}, {1}, {1}};
    double[] y = {1, 1, 1, 0};
    LogisticRegression lr = LogisticRegression.fit(x, y, 1e-6);
    assertEquals(0.75, lr.probability(new double[] {1}), 1e-4);
  }

  @Test
  void logisticRegressionSeparatesTwoGroups() {
    double[][] x = {{1, 1}, {1, 1}, {1, -1}, {1, -1}};
    double[] y = {1, 1, 0, 0};
    LogisticRegression lr = LogisticRegression.fit(x, y, 0.1);
    assertTrue(lr.probability(new double[] {1, 1}) > 0.9);
    assertTrue(lr.probability(new double[] {1, -1}) < 0.1);
  }

  @Test
  void logisticRegressionRejectsLabelsOutsideTheUnitInterval() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LogisticRegression.fit(new double[][] {{1}}, new double[] {2}, 1));
    assertTrue(e.getMessage().contains("2.0"));
  }

  @Test
  void ridgeRegressionRecoversALine() {
    double[][] x = {{1, 0}, {1, 1}, {1, 2}, {1, 3}};
    double[] y = {1, 3, 5, 7};
    RidgeRegression r = RidgeRegression.fit(x, y, 1e-9);
    assertArrayEquals(new double[] {1, 2}, r.weights(), 1e-6);
  }

  @Test
  void ridgeRegressionRejectsMismatchedRows() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RidgeRegression.fit(new double[][] {{1}, {2}}, new double[] {1}, 1));
    assertTrue(e.getMessage().contains("2 rows"));
  }

  @Test
  void bradleyTerryStrengthGapIsTheLogOddsOfTheWinRate() {
    // 3 wins to 1: beta_0 - beta_1 = ln 3
    double[] beta = BradleyTerry.fit(new double[][] {{0, 3}, {1, 0}}, 1e-9, null);
    assertEquals(Math.log(3), beta[0] - beta[1], 1e-5);
    assertEquals(0, beta[0] + beta[1], 1e-9);
  }

  @Test
  void bradleyTerryPriorPullsTowardItsMean() {
    double[] beta = BradleyTerry.fit(new double[][] {{0, 0}, {0, 0}}, 1, new double[] {0.5, -0.5});
    assertArrayEquals(new double[] {0.5, -0.5}, beta, 1e-12);
  }

  @Test
  void eloUpdatesByKTimesTheSurprise() {
    double[] r = Elo.ratings(2, List.of(new Elo.Game(0, 1, 1.0)), 32, 1000);
    assertArrayEquals(new double[] {1016, 984}, r, 1e-9);
    // a draw against a weaker player costs rating
    double[] d = Elo.ratings(new double[] {1100, 900}, List.of(new Elo.Game(0, 1, 0.5)), 10);
    double expected = 1 / (1 + Math.pow(10, -200 / 400.0));
    assertEquals(1100 + 10 * (0.5 - expected), d[0], 1e-9);
  }

  @Test
  void knnReturnsTheMostSimilarRowsInOrderAndCanLeaveOneOut() {
    KnnIndex index = new KnnIndex(List.of(new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1}));
    List<KnnIndex.Neighbour> nn = index.nearest(new double[] {1, 0.1}, 2, -1);
    assertEquals(0, nn.get(0).index());
    assertEquals(2, nn.get(1).index());
    assertEquals(List.of(2, 1), index.nearest(new double[] {1, 0.1}, 2, 0).stream()
        .map(KnnIndex.Neighbour::index).toList());
    assertEquals(1.0 / Math.sqrt(2), index.similarities(new double[] {0, 3})[2], 1e-12);
  }

  @Test
  void softmaxRegressionFitsSoftTargets() {
    double[][] x = {{1, 1}, {1, -1}};
    double[][] t = {{0.9, 0.1}, {0.2, 0.8}};
    SoftmaxRegression s = SoftmaxRegression.fit(x, t, 0, 3000, 0.5);
    assertArrayEquals(t[0], s.probabilities(x[0]), 1e-3);
    assertArrayEquals(t[1], s.probabilities(x[1]), 1e-3);
  }

  @Test
  void softmaxRegressionRejectsATargetThatIsNotADistribution() {
    assertThrows(IllegalArgumentException.class,
        () -> SoftmaxRegression.fit(new double[][] {{1}}, new double[][] {{0.5, 0.2}}, 0, 10, 0.1));
  }
}
