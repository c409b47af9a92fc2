package dev.switchyard.strategies.ml;

/**
 * Multinomial logistic regression with soft targets: {@code p_k(x) = softmax(W x)_k}, fitted by full-batch
 * gradient descent with Nesterov momentum on the cross-entropy {@code -sum_i sum_k t_ik log p_k(x_i)} (i.e. the
 * KL divergence to the target distributions) plus {@code l2/2 |W|^2}, averaged over rows. Deterministic: starts
 * from zero weights.
 */
public final class SoftmaxRegression {
  private final double[][] weights;

  private SoftmaxRegression(double[][] weights) {
    this.weights = weights;
  }

  /**
   * @param targets one probability distribution per row (rows must sum to 1)
   * @param iterations gradient steps
   */
  public static SoftmaxRegression fit(double[][] x, double[][] targets, double l2, int iterations, double rate) {
    int n = Checks.rows(x, targets.length, "targets");
    int d = x[0].length;
    int k = targets[0].length;
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (double t : targets[i]) {
        if (t < 0) {
          throw new IllegalArgumentException("target row " + i + " has a negative probability " + t);
        }
        s += t;
      }
      if (targets[i].length != k || Math.abs(s - 1) > 1e-6) {
        throw new IllegalArgumentException("target row " + i + " is not a distribution over " + k + " classes");
      }
    }
    if (l2 < 0 || !(rate > 0) || iterations < 1) {
      throw new IllegalArgumentException("need l2 >= 0, rate > 0, iterations >= 1; got " + l2 + ", " + rate + ", "
          + iterations);
    }
    double[][] w = new double[k][d];
    double[][] velocity = new double[k][d];
    double[][] grad = new double[k][d];
    double momentum = 0.9;
    double[][] look = new double[k][d];
    for (int it = 0; it < iterations; it++) {
      for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
          look[c][j] = w[c][j] + momentum * velocity[c][j];
          grad[c][j] = l2 * look[c][j];
        }
      }
      for (int i = 0; i < n; i++) {
        double[] p = softmax(look, x[i]);
        for (int c = 0; c < k; c++) {
          double r = (p[c] - targets[i][c]) / n;
          if (r == 0) {
            continue;
          }
          double[] gc = grad[c];
          double[] xi = x[i];
          for (int j = 0; j < d; j++) {
            gc[j] += r * xi[j];
          }
        }
      }
      for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
          velocity[c][j] = momentum * velocity[c][j] - rate * grad[c][j];
          w[c][j] += velocity[c][j];
        }
      }
    }
    return new SoftmaxRegression(w);
  }

  public double[] probabilities(double[] x) {
    return softmax(weights, x);
  }

  static double[] softmax(double[][] w, double[] x) {
    double[] z = new double[w.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < w.length; c++) {
      z[c] = LogisticRegression.dot(w[c], x);
      max = Math.max(max, z[c]);
    }
    double sum = 0;
    for (int c = 0; c < z.length; c++) {
      z[c] = Math.exp(z[c] - max);
      sum += z[c];
    }
    for (int c = 0; c < z.length; c++) {
      z[c] /= sum;
    }
    return z;
  }
}
