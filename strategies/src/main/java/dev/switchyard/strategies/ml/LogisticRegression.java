package dev.switchyard.strategies.ml;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Binary logistic regression, {@code P(y = 1 | x) = sigmoid(b + w . x + offset)}, fitted by Newton-Raphson
 * (iteratively reweighted least squares) on the weighted log-likelihood with an L2 penalty {@code l2/2 |w|^2}
 * that never touches the intercept {@code b}. Labels may be fractional (soft targets in [0, 1]). The library's
 * one logistic fit: {@link PlattCalibrator} is this model on one feature.
 *
 * <p>Three ways to say where the intercept is: {@link #fit} has none (every weight penalised, so {@code l2 > 0});
 * {@link #fitWithIntercept} takes {@code x[i][0] = 1} as the intercept column; {@link #fitAddingIntercept} adds
 * it, optionally over a fixed per-row offset logit (so one model can refine another's logit). A free intercept
 * starts at the log-odds of the weighted mean label (at 0 over an offset). Rows with sample weight 0 are
 * ignored, which is how cross-validation folds are left out. The Hessian skips zero features, so sparse
 * n-gram rows cost what they hold. Immutable once fitted.
 */
public final class LogisticRegression {
  private static final int MAX_ITERATIONS = 25;
  private static final double CONVERGED = 1e-8;
  /** Keeps the Hessian positive definite where nothing is penalised (an unpenalised intercept, l2 = 0). */
  private static final double JITTER = 1e-9;
  private final double intercept;
  private final double[] weights;

  public LogisticRegression(double[] weights) {
    this(0, weights);
  }

  public LogisticRegression(double intercept, double[] weights) {
    this.intercept = intercept;
    this.weights = weights.clone();
  }

  /** Fits without an intercept, with unit sample weights. */
  public static LogisticRegression fit(double[][] x, double[] y, double l2) {
    return fit(x, y, ones(y.length), l2);
  }

  /** Fits without an intercept; every weight is penalised. */
  public static LogisticRegression fit(double[][] x, double[] y, double[] sampleWeight, double l2) {
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("l2 must be > 0 (it keeps separable data finite), got " + l2);
    }
    return newton(x, y, sampleWeight, null, l2, Intercept.NONE);
  }

  /**
   * Fits with {@code x[i][0] = 1} as the intercept, which is not penalised; {@code l2 >= 0} penalises the other
   * weights. The intercept stays {@code weights()[0]}.
   */
  public static LogisticRegression fitWithIntercept(double[][] x, double[] y, double[] sampleWeight, double l2) {
    if (!(l2 >= 0)) {
      throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
    }
    return newton(x, y, sampleWeight, null, l2, Intercept.FIRST_COLUMN);
  }

  /** Fits {@code sigmoid(b + w . x)} with an added, unpenalised intercept {@code b}. */
  public static LogisticRegression fitAddingIntercept(double[][] x, double[] y, double l2) {
    return fitAddingIntercept(x, y, null, l2);
  }

  /**
   * Fits {@code sigmoid(b + w . x + offset)} with an added, unpenalised intercept {@code b}.
   *
   * @param offset per-row fixed logit added to the linear term, or null
   * @param l2 ridge penalty on {@code w}, must be &gt; 0 so separable data stays finite
   */
  public static LogisticRegression fitAddingIntercept(double[][] x, double[] y, double[] offset, double l2) {
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("l2 must be > 0, got " + l2);
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("cannot fit a logistic model on zero rows");
    }
    if (offset != null && offset.length != y.length) {
      throw new IllegalArgumentException("offset has " + offset.length + " rows but y has " + y.length);
    }
    return newton(x, y, ones(y.length), offset, l2, Intercept.ADDED);
  }

  public static double[] ones(int n) {
    double[] w = new double[n];
    java.util.Arrays.fill(w, 1.0);
    return w;
  }

  private enum Intercept { NONE, FIRST_COLUMN, ADDED }

  private static LogisticRegression newton(double[][] x, double[] y, double[] sampleWeight, double[] offset,
      double l2, Intercept intercept) {
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
    int shift = intercept == Intercept.ADDED ? 1 : 0;
    int p = d + shift;
    double[] beta = new double[p];
    if (weightSum == 0) {
      return result(beta, intercept);
    }
    if (intercept != Intercept.NONE && offset == null) {
      beta[0] = logOdds(labelSum / weightSum);
    }
    DMatrixRMaj hessian = new DMatrixRMaj(p, p);
    DMatrixRMaj gradient = new DMatrixRMaj(p, 1);
    DMatrixRMaj step = new DMatrixRMaj(p, 1);
    LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(p);
    double[] row = new double[p];
    double[] weightedRow = new double[p];
    for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
      hessian.zero();
      gradient.zero();
      double[] h = hessian.data;
      double[] g = gradient.data;
      for (int i = 0; i < n; i++) {
        if (sampleWeight[i] == 0) {
          continue;
        }
        if (x[i].length != d) {
          throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, expected " + d);
        }
        row[0] = 1;
        System.arraycopy(x[i], 0, row, shift, d);
        double z = offset == null ? 0 : offset[i];
        for (int j = 0; j < p; j++) {
          z += beta[j] * row[j];
        }
        double prob = sigmoid(z);
        double r = sampleWeight[i] * (y[i] - prob);
        double s = sampleWeight[i] * Math.max(prob * (1 - prob), 1e-12);
        for (int k = 0; k < p; k++) {
          weightedRow[k] = s * row[k];
        }
        for (int j = 0; j < p; j++) {
          double rj = row[j];
          if (rj == 0) {
            continue;
          }
          g[j] += r * rj;
          int base = j * p;
          for (int k = j; k < p; k++) {
            h[base + k] += rj * weightedRow[k];
          }
        }
      }
      for (int j = 0; j < p; j++) {
        for (int k = 0; k < j; k++) {
          h[j * p + k] = h[k * p + j];
        }
      }
      for (int j = 0; j < p; j++) {
        boolean penalised = j > 0 || intercept == Intercept.NONE;
        h[j * p + j] += penalised ? l2 + JITTER : JITTER;
        if (penalised) {
          g[j] -= l2 * beta[j];
        }
      }
      if (!solver.setA(hessian)) {
        break;
      }
      solver.solve(gradient, step);
      double change = 0;
      for (int j = 0; j < p; j++) {
        beta[j] += step.data[j];
        change += Math.abs(step.data[j]);
      }
      if (change < CONVERGED) {
        break;
      }
    }
    return result(beta, intercept);
  }

  private static LogisticRegression result(double[] beta, Intercept intercept) {
    if (intercept != Intercept.ADDED) {
      return new LogisticRegression(beta);
    }
    return new LogisticRegression(beta[0], java.util.Arrays.copyOfRange(beta, 1, beta.length));
  }

  /** {@code b + w . x}, the log-odds of {@code y = 1}. */
  public double logit(double[] x) {
    return intercept + dot(weights, x);
  }

  public double probability(double[] x) {
    return sigmoid(logit(x));
  }

  /** The added intercept; 0 for a model fitted without one or with it as {@code weights()[0]}. */
  public double intercept() {
    return intercept;
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

  /** Log-odds of a probability clipped to [1e-4, 1 - 1e-4], so a certain label stays finite. */
  public static double logOdds(double p) {
    double c = Math.min(1 - 1e-4, Math.max(1e-4, p));
    return Math.log(c / (1 - c));
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
