package dev.switchyard.strategies.cascade.support;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * L2-regularised logistic regression {@code P(y = 1 | x) = sigmoid(b + w . x + offset)}, fitted by
 * iteratively reweighted least squares (Newton's method on the penalised log-likelihood; the intercept is not
 * penalised). Labels may be fractional in [0, 1]. The optional per-row offset lets a model refine another
 * model's logit (used to update a quality estimate after an observation). Immutable once fitted.
 */
public final class Logistic {
  private static final int MAX_ITERATIONS = 25;
  private final double intercept;
  private final double[] weights;

  public Logistic(double intercept, double[] weights) {
    this.intercept = intercept;
    this.weights = weights.clone();
  }

  public static Logistic fit(double[][] x, double[] y, double l2) {
    return fit(x, y, null, l2);
  }

  /**
   * @param offset per-row fixed logit added to the linear term, or null
   * @param l2 ridge penalty on the weights (not on the intercept), must be &gt; 0 so separable data stays finite
   */
  public static Logistic fit(double[][] x, double[] y, double[] offset, double l2) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("x has " + x.length + " rows but y has " + y.length);
    }
    if (offset != null && offset.length != y.length) {
      throw new IllegalArgumentException("offset has " + offset.length + " rows but y has " + y.length);
    }
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("l2 must be > 0, got " + l2);
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("cannot fit a logistic model on zero rows");
    }
    int d = x[0].length;
    int p = d + 1;
    double[] beta = new double[p];
    double mean = 0;
    for (double v : y) {
      if (v < 0 || v > 1 || Double.isNaN(v)) {
        throw new IllegalArgumentException("labels must be in [0, 1], got " + v);
      }
      mean += v;
    }
    mean = Math.min(1 - 1e-4, Math.max(1e-4, mean / y.length));
    beta[0] = offset == null ? Math.log(mean / (1 - mean)) : 0;
    DMatrixRMaj hessian = new DMatrixRMaj(p, p);
    DMatrixRMaj gradient = new DMatrixRMaj(p, 1);
    DMatrixRMaj step = new DMatrixRMaj(p, 1);
    double[] row = new double[p];
    for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
      hessian.zero();
      gradient.zero();
      double[] h = hessian.data;
      double[] g = gradient.data;
      for (int i = 0; i < x.length; i++) {
        if (x[i].length != d) {
          throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, expected " + d);
        }
        row[0] = 1;
        System.arraycopy(x[i], 0, row, 1, d);
        double z = offset == null ? 0 : offset[i];
        for (int j = 0; j < p; j++) {
          z += beta[j] * row[j];
        }
        double prob = sigmoid(z);
        double w = Math.max(prob * (1 - prob), 1e-9);
        double r = y[i] - prob;
        for (int j = 0; j < p; j++) {
          double rj = row[j];
          if (rj == 0) {
            continue;
          }
          g[j] += r * rj;
          double wrj = w * rj;
          int base = j * p;
          for (int k = j; k < p; k++) {
            h[base + k] += wrj * row[k];
          }
        }
      }
      for (int j = 0; j < p; j++) {
        for (int k = 0; k < j; k++) {
          h[j * p + k] = h[k * p + j];
        }
      }
      for (int j = 1; j < p; j++) {
        h[j * p + j] += l2;
        g[j] -= l2 * beta[j];
      }
      h[0] += 1e-9;
      if (!CommonOps_DDRM.solve(hessian, gradient, step)) {
        break;
      }
      double change = 0;
      for (int j = 0; j < p; j++) {
        beta[j] += step.data[j];
        change = Math.max(change, Math.abs(step.data[j]));
      }
      if (change < 1e-7) {
        break;
      }
    }
    double[] w = new double[d];
    System.arraycopy(beta, 1, w, 0, d);
    return new Logistic(beta[0], w);
  }

  public double logit(double[] x) {
    if (x.length != weights.length) {
      throw new IllegalArgumentException("expected " + weights.length + " features, got " + x.length);
    }
    double z = intercept;
    for (int i = 0; i < x.length; i++) {
      z += weights[i] * x[i];
    }
    return z;
  }

  public double probability(double[] x) {
    return sigmoid(logit(x));
  }

  public double intercept() {
    return intercept;
  }

  public double[] weights() {
    return weights.clone();
  }

  public static double sigmoid(double z) {
    return 1.0 / (1.0 + Math.exp(-z));
  }

  /** Log-odds of a probability clipped to [1e-4, 1 - 1e-4]. */
  public static double logOdds(double p) {
    double c = Math.min(1 - 1e-4, Math.max(1e-4, p));
    return Math.log(c / (1 - c));
  }
}
