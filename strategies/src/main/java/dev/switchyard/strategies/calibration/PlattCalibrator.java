package dev.switchyard.strategies.calibration;

/**
 * Maps a raw confidence signal to a probability of being correct with a logistic curve,
 * {@code P(correct | x) = 1 / (1 + exp(-(a x + b)))} (Platt, 1999), fitted by Newton-Raphson on the
 * log-likelihood with a small L2 penalty on {@code a} so that separable data stays finite.
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
    double mean = 0;
    for (double v : y) {
      mean += v;
    }
    mean = Math.min(1 - 1e-6, Math.max(1e-6, mean / y.length));
    double a = 0;
    double b = Math.log(mean / (1 - mean));
    for (int iter = 0; iter < 50; iter++) {
      double ga = -L2 * a;
      double gb = 0;
      double haa = -L2;
      double hab = 0;
      double hbb = 0;
      for (int i = 0; i < x.length; i++) {
        double p = sigmoid(a * x[i] + b);
        double r = y[i] - p;
        double w = p * (1 - p);
        ga += r * x[i];
        gb += r;
        haa -= w * x[i] * x[i];
        hab -= w * x[i];
        hbb -= w;
      }
      double det = haa * hbb - hab * hab;
      if (Math.abs(det) < 1e-12) {
        break;
      }
      double da = (hbb * ga - hab * gb) / det;
      double db = (haa * gb - hab * ga) / det;
      a -= da;
      b -= db;
      if (Math.abs(da) + Math.abs(db) < 1e-9) {
        break;
      }
    }
    return new PlattCalibrator(a, b);
  }

  public double probability(double x) {
    return sigmoid(a * x + b);
  }

  public double slope() {
    return a;
  }

  public double intercept() {
    return b;
  }

  static double sigmoid(double z) {
    return 1.0 / (1.0 + Math.exp(-z));
  }
}
