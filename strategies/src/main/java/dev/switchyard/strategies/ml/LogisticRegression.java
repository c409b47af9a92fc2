package dev.switchyard.strategies.ml;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Binary logistic regression, {@code P(y = 1 | x) = sigmoid(w . x)}, fitted by Newton-Raphson (iteratively
 * reweighted least squares) on the weighted log-likelihood with an L2 penalty {@code l2/2 |w|^2}. Labels may be
 * fractional (soft targets in [0, 1]). The caller supplies a constant feature if an intercept is wanted.
 */
public final class LogisticRegression {
  private static final int MAX_ITERATIONS = 20;
  private final double[] weights;

  public LogisticRegression(double[] weights) {
    this.weights = weights.clone();
  }

  /** Fits with unit sample weights. */
  public static LogisticRegression fit(double[][] x, double[] y, double l2) {
    double[] w = new double[y.length];
    java.util.Arrays.fill(w, 1.0);
    return fit(x, y, w, l2);
  }

  public static LogisticRegression fit(double[][] x, double[] y, double[] sampleWeight, double l2) {
    int n = Checks.rows(x, y.length, "y");
    if (sampleWeight.length != n) {
      throw new IllegalArgumentException("sample weights: expected " + n + " got " + sampleWeight.length);
    }
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("l2 must be > 0 (it keeps separable data finite), got " + l2);
    }
    for (double v : y) {
      if (v < 0 || v > 1 || Double.isNaN(v)) {
        throw new IllegalArgumentException("labels must lie in [0, 1], got " + v);
      }
    }
    int d = x[0].length;
    DMatrixRMaj design = new DMatrixRMaj(x);
    double[] w = new double[d];
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
        double s = sampleWeight[i] * Math.max(p * (1 - p), 1e-9);
        for (int j = 0; j < d; j++) {
          gradient.data[j] += r * x[i][j];
          weighted.data[i * d + j] = s * x[i][j];
        }
      }
      CommonOps_DDRM.multTransA(design, weighted, hessian);
      for (int j = 0; j < d; j++) {
        hessian.add(j, j, l2);
        gradient.data[j] -= l2 * w[j];
      }
      if (!solver.setA(hessian)) {
        break;
      }
      solver.solve(gradient, step);
      double change = 0;
      for (int j = 0; j < d; j++) {
        w[j] += step.data[j];
        change = Math.max(change, Math.abs(step.data[j]));
      }
      if (change < 1e-5) {
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
