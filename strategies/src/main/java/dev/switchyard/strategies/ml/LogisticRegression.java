package dev.switchyard.strategies.ml;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Binary logistic regression, {@code P(y = 1 | x) = sigmoid(w . x)}, fitted by Newton-Raphson (iteratively
 * reweighted least squares) on the weighted log-likelihood with an L2 penalty {@code l2/2 |w|^2}. Labels may be
 * fractional (soft targets in [0, 1]). The caller supplies a constant feature if an intercept is wanted; with
 * {@link #fitWithIntercept} that first feature is the intercept and is left out of the penalty.
 */
public final class LogisticRegression {
  private static final int MAX_ITERATIONS = 25;
  private static final double CONVERGED = 1e-8;
  /** Keeps the Hessian positive definite where nothing is penalised (an unpenalised intercept, l2 = 0). */
  private static final double JITTER = 1e-9;
  private final double[] weights;

  public LogisticRegression(double[] weights) {
    this.weights = weights.clone();
  }

  /** Fits with unit sample weights. */
  public static LogisticRegression fit(double[][] x, double[] y, double l2) {
    return fit(x, y, ones(y.length), l2);
  }

  public static LogisticRegression fit(double[][] x, double[] y, double[] sampleWeight, double l2) {
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("l2 must be > 0 (it keeps separable data finite), got " + l2);
    }
    return newton(x, y, sampleWeight, l2, true);
  }

  /**
   * Fits with {@code x[i][0] = 1} as the intercept, which is not penalised and starts at the log-odds of the
   * weighted mean label; {@code l2 >= 0} penalises the other weights. Rows with sample weight 0 are ignored,
   * which is how cross-validation folds are left out.
   */
  public static LogisticRegression fitWithIntercept(double[][] x, double[] y, double[] sampleWeight, double l2) {
    if (!(l2 >= 0)) {
      throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
    }
    return newton(x, y, sampleWeight, l2, false);
  }

  public static double[] ones(int n) {
    double[] w = new double[n];
    java.util.Arrays.fill(w, 1.0);
    return w;
  }

  private static LogisticRegression newton(double[][] x, double[] y, double[] sampleWeight, double l2,
      boolean penaliseFirst) {
    int n = Checks.rows(x, y.length, "y");
    if (sampleWeight.length != n) {
      throw new IllegalArgumentException("sample weights: expected " + n + " got " + sampleWeight.length);
    }
    double weightSum = 0;
    double labelSum = 0;
    for (int i = 0; i < n; i++) {
      if (y[i] < 0 || y[i] > 1 || Double.isNaN(y[i])) {
        throw new IllegalArgumentException("labels must lie in [0, 1], got " + y[i]);
      }
      weightSum += sampleWeight[i];
      labelSum += sampleWeight[i] * y[i];
    }
    int d = x[0].length;
    double[] w = new double[d];
    if (weightSum == 0) {
      return new LogisticRegression(w);
    }
    if (!penaliseFirst) {
      double mean = Math.min(1 - 1e-4, Math.max(1e-4, labelSum / weightSum));
      w[0] = Math.log(mean / (1 - mean));
    }
    DMatrixRMaj design = new DMatrixRMaj(x);
    DMatrixRMaj weighted = new DMatrixRMaj(n, d);
    DMatrixRMaj hessian = new DMatrixRMaj(d, d);
    DMatrixRMaj gradient = new DMatrixRMaj(d, 1);
    DMatrixRMaj step = new DMatrixRMaj(d, 1);
    LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(d);
    for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
      java.util.Arrays.fill(gradient.data, 0);
      for (int i = 0; i < n; i++) {
        double p = sigmoid(dot(w, x[i]));
        double r = sampleWeight[i] * (y[i] - p);
        double s = sampleWeight[i] * Math.max(p * (1 - p), 1e-12);
        for (int j = 0; j < d; j++) {
          gradient.data[j] += r * x[i][j];
          weighted.data[i * d + j] = s * x[i][j];
        }
      }
      CommonOps_DDRM.multTransA(design, weighted, hessian);
      for (int j = 0; j < d; j++) {
        boolean penalised = j > 0 || penaliseFirst;
        hessian.add(j, j, penalised ? l2 + JITTER : JITTER);
        if (penalised) {
          gradient.data[j] -= l2 * w[j];
        }
      }
      if (!solver.setA(hessian)) {
        break;
      }
      solver.solve(gradient, step);
      double change = 0;
      for (int j = 0; j < d; j++) {
        w[j] += step.data[j];
        change += Math.abs(step.data[j]);
      }
      if (change < CONVERGED) {
        break;
      }
    }
    return new LogisticRegression(w);
  }

  public double probability(double[] x) {
    return sigmoid(dot(weights, x));
  }

  public double[] weights() {
    return weights.clone();
  }

  public static double sigmoid(double z) {
    if (z >= 0) {
      return 1.0 / (1.0 + Math.exp(-z));
    }
    double e = Math.exp(z);
    return e / (1.0 + e);
  }

  static double dot(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("feature length " + b.length + " differs from the model's " + a.length);
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
