package dev.switchyard.strategies.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PlattCalibratorTest {
  @Test
  void recoversAKnownLogisticCurveWithinTolerance() {
    Random random = new Random(7);
    int n = 20_000;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextGaussian();
      y[i] = random.nextDouble() < LogisticRegression.sigmoid(2.0 * x[i] - 0.5) ? 1 : 0;
    }

    PlattCalibrator c = PlattCalibrator.fit(x, y);

    assertEquals(2.0, c.slope(), 0.1);
    assertEquals(-0.5, c.intercept(), 0.06);
  }

  @Test
  void withoutSignalPredictsTheBaseRate() {
    PlattCalibrator c = PlattCalibrator.fit(new double[] {1, 1, 1, 1}, new double[] {1, 1, 1, 0});

    assertEquals(0.75, c.probability(1), 1e-6);
  }

  @Test
  void staysFiniteOnSeparableData() {
    PlattCalibrator c = PlattCalibrator.fit(new double[] {-2, -1, 1, 2}, new double[] {0, 0, 1, 1});

    assertTrue(Double.isFinite(c.slope()) && c.slope() > 0);
    assertTrue(c.probability(2) > 0.9 && c.probability(-2) < 0.1);
  }

  @Test
  void emptyDataGivesOneHalf() {
    assertEquals(0.5, PlattCalibrator.fit(new double[0], new double[0]).probability(3));
  }

  @Test
  void refusesMismatchedLengths() {
    assertThrows(IllegalArgumentException.class, () -> PlattCalibrator.fit(new double[2], new double[3]));
  }
}
