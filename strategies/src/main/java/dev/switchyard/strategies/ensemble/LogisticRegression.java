package dev.switchyard.strategies.ensemble;

import java.util.Arrays;

/**
 * L2-regularised logistic regression, {@code P(y = 1 | x) = sigmoid(w . x)}, fitted by Newton-Raphson on the
 * penalised log-likelihood {@code sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)] - (l2 / 2) |w_{1..}|^2}. The
 * first feature is the bias and is not penalised. Targets may be fractional scores in [0, 1]. Small dense
 * problems only (the Hessian is solved directly).
 */
public final class LogisticRegression {
  private static final int MAX_ITERATIONS = 25;
  private final double[] weights;

  private LogisticRegression(double[] weights) {
    this.weights = weights;
  }

  public static LogisticRegression of(double... weights) {
    return new LogisticRegression(weights.clone());
  }

  /**
   * Fits on rows {@code x[i]} (each starting with the constant 1) and targets {@code y[i]}, using only the rows
   * whose {@code use[i]} is true ({@code use} may be null for all rows).
   */
  public static LogisticRegression fit(double[][] x, double[] y, boolean[] use, double l2) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("x and y differ in length: " + x.length + " vs " + y.length);
    }
    if (l2 < 0) {
      throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
    }
    int d = x.length == 0 ? 1 : x[0].length;
    double[] w = new double[d];
    double mean = 0;
    int n = 0;
    for (int i = 0; i < y.length; i++) {
      if (use == null || use[i]) {
        mean += y[i];
        n++;
      }
    }
    if (n == 0) {
      return new LogisticRegression(w);
    }
    mean = Math.min(1 - 1e-4, Math.max(1e-4, mean / n));
    w[0] = Math.log(mean / (1 - mean));
    double[] grad = new double[d];
    double[][] hess = new double[d][d];
    for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
      Arrays.fill(grad, 0);
      for (double[] row : hess) {
        Arrays.fill(row, 0);
      }
      for (int j = 1; j < d; j++) {
        grad[j] = -l2 * w[j];
        hess[j][j] = l2;
      }
      hess[0][0] = 1e-9;
      for (int i = 0; i < x.length; i++) {
        if (use != null && !use[i]) {
          continue;
        }
        double[] xi = x[i];
        double p = sigmoid(dot(w, xi));
        double r = y[i] - p;
        double v = Math.max(p * (1 - p), 1e-12);
        for (int a = 0; a < d; a++) {
          grad[a] += r * xi[a];
          double va = v * xi[a];
          for (int b = a; b < d; b++) {
            hess[a][b] += va * xi[b];
          }
        }
      }
      for (int a = 0; a < d; a++) {
        for (int b = 0; b < a; b++) {
          hess[a][b] = hess[b][a];
        }
      }
      double[] step = solve(hess, grad);
      if (step == null) {
        break;
      }
      double change = 0;
      for (int a = 0; a < d; a++) {
        w[a] += step[a];
        change += Math.abs(step[a]);
      }
      if (change < 1e-8) {
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

  static double sigmoid(double z) {
    return 1.0 / (1.0 + Math.exp(-z));
  }

  private static double dot(double[] w, double[] x) {
    double s = 0;
    for (int i = 0; i < w.length; i++) {
      s += w[i] * x[i];
    }
    return s;
  }

  /** Solves {@code a s = b} by Gaussian elimination with partial pivoting; null if singular. */
  static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][n + 1];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n] = b[i];
    }
    for (int c = 0; c < n; c++) {
      int pivot = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      if (Math.abs(m[pivot][c]) < 1e-14) {
        return null;
      }
      double[] t = m[c];
      m[c] = m[pivot];
      m[pivot] = t;
      for (int r = 0; r < n; r++) {
        if (r != c) {
          double f = m[r][c] / m[c][c];
          if (f != 0) {
            for (int k = c; k <= n; k++) {
              m[r][k] -= f * m[c][k];
            }
          }
        }
      }
    }
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      s[i] = m[i][n] / m[i][i];
    }
    return s;
  }
}
