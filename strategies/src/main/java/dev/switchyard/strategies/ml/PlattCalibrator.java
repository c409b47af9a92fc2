package dev.switchyard.strategies.ml;

/**
 * Maps a raw confidence signal to a probability of being correct with a logistic curve,
 * {@code P(correct | x) = 1 / (1 + exp(-(a x + b)))} (Platt, 1999): a {@link LogisticRegression} on the one
 * feature {@code x} with an added intercept {@code b}, and a small L2 penalty on {@code a} so that separable
 * data stays finite.
 */
public final class PlattCalibrator {
  private static final double L2 = 1e-3;
  private final double a;
  private final double b;

  public PlattCalibrator(double a, double b) {
    this.a = a;
    this.b = b;
  }

  /** Fits on paired signals and 0/1 (or fractional) outcomes. With no data, returns the constant 0.5. */
  public static PlattCalibrator fit(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("x and y differ in length: " + x.length + " vs " + y.length);
    }
    if (x.length == 0) {
      return new PlattCalibrator(0, 0);
    }
    double[][] column = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      column[i] = new double[] {x[i]};
    }
    LogisticRegression curve = LogisticRegression.fitAddingIntercept(column, y, L2);
    return new PlattCalibrator(curve.weights()[0], curve.intercept());
  }

  public double probability(double x) {
    return LogisticRegression.sigmoid(a * x + b);
  }

  public double slope() {
    return a;
  }

  public double intercept() {
    return b;
  }
}
