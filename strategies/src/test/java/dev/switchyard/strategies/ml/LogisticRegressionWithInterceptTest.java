package dev.switchyard.strategies.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogisticRegressionWithInterceptTest {
  private static double[] all(int n) {
    return LogisticRegression.ones(n);
  }

  @Test
  void biasOnlyModelLearnsTheLogOddsOfTheMean() {
    double[][] x = {{1}, {1}, {1}, {1}};
    double[] y = {1, 1, 1, 0};
    LogisticRegression lr = LogisticRegression.fitWithIntercept(x, y, all(y.length), 0);
    assertEquals(Math.log(3), lr.weights()[0], 1e-9);
    assertEquals(0.75, lr.probability(new double[] {1}), 1e-9);
  }

  @Test
  void rowsMaskedOutAreIgnored() {
    double[][] x = {{1}, {1}, {1}, {1}};
    double[] y = {1, 0, 0, 0};
    LogisticRegression lr = LogisticRegression.fitWithIntercept(x, y, new double[] {1, 1, 0, 0}, 0);
    assertEquals(0.5, lr.probability(new double[] {1}), 1e-9);
  }

  @Test
  void recoversTheMaximumLikelihoodSlopeOnBalancedData() {
    // Per x value the empirical rates are 1/4 at x = -1 and 3/4 at x = 1: the MLE is w = (0, ln 3).
    double[][] x = {{1, -1}, {1, -1}, {1, -1}, {1, -1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}};
    double[] y = {1, 0, 0, 0, 1, 1, 1, 0};
    LogisticRegression lr = LogisticRegression.fitWithIntercept(x, y, all(y.length), 0);
    assertEquals(0, lr.weights()[0], 1e-9);
    assertEquals(Math.log(3), lr.weights()[1], 1e-9);
  }

  @Test
  void penaltyShrinksTheSlopeButNotTheBias() {
    double[][] x = {{1, -1}, {1, -1}, {1, -1}, {1, -1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}};
    double[] y = {1, 0, 0, 0, 1, 1, 1, 0};
    double slope = LogisticRegression.fitWithIntercept(x, y, all(y.length), 4).weights()[1];
    assertTrue(slope > 0 && slope < Math.log(3), "shrunk slope " + slope);
  }

  @Test
  void rejectsMismatchedInput() {
    assertThrows(IllegalArgumentException.class,
        () -> LogisticRegression.fitWithIntercept(new double[][] {{1}}, new double[] {1, 0}, all(2), 0));
    assertThrows(IllegalArgumentException.class,
        () -> LogisticRegression.fitWithIntercept(new double[][] {{1}}, new double[] {1}, all(1), -1));
  }
}
