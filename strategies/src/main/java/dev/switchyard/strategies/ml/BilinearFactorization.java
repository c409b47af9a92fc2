package dev.switchyard.strategies.ml;

import java.util.Random;

/**
 * Matrix factorisation of a query-by-model outcome matrix where the query side is a projection of the query's
 * features (so unseen queries get an embedding): {@code e_q = P x_q} (dimension {@code rank}), model embedding
 * {@code v_m} and bias {@code b_m}, score {@code s(q, m) = v_m . e_q + b_m}.
 *
 * <p>Two losses: pointwise (EmbedLLM, Zhuang et al. arXiv 2410.02223): {@code P(m correct on q) = sigmoid(s(q,m))}
 * with log-loss on the recorded 0/1 or fractional scores; pairwise (RouteLLM's matrix-factorisation router, Ong et
 * al. arXiv 2406.18665): {@code P(a beats b on q) = sigmoid(s(q,a) - s(q,b))} on recorded comparisons. Both use
 * stochastic gradient descent in a seeded order with L2 on the parameters each step touches (the projection
 * is updated only on a row's non-zero features, which keeps sparse hashed features cheap).
 */
public final class BilinearFactorization {
  private final double[][] projection;
  private final double[][] modelEmbedding;
  private final double[] bias;

  private BilinearFactorization(double[][] projection, double[][] modelEmbedding, double[] bias) {
    this.projection = projection;
    this.modelEmbedding = modelEmbedding;
    this.bias = bias;
  }

  /** Hyper-parameters shared by both losses. */
  public record Settings(int rank, int epochs, double learningRate, double l2, long seed) {
    public Settings {
      if (rank < 1 || epochs < 1 || !(learningRate > 0) || l2 < 0) {
        throw new IllegalArgumentException("need rank >= 1, epochs >= 1, learningRate > 0, l2 >= 0; got " + rank
            + ", " + epochs + ", " + learningRate + ", " + l2);
      }
    }
  }

  /** One recorded comparison on query row {@code row}: {@code result} = 1 if a won, 0.5 tie, 0 if b won. */
  public record Comparison(int row, int a, int b, double result, double weight) {}

  /** Pointwise fit on {@code scores[row][model]} in [0, 1]. */
  public static BilinearFactorization fitPointwise(double[][] x, double[][] scores, Settings s) {
    int n = Checks.rows(x, scores.length, "scores");
    int models = scores[0].length;
    BilinearFactorization f = init(x[0].length, models, s);
    Random random = new Random(s.seed());
    int[] order = order(n);
    double[] e = new double[s.rank()];
    double[] ge = new double[s.rank()];
    for (int epoch = 0; epoch < s.epochs(); epoch++) {
      shuffle(order, random);
      double lr = s.learningRate() / (1 + 0.1 * epoch);
      for (int row : order) {
        f.embed(x[row], e);
        java.util.Arrays.fill(ge, 0);
        for (int m = 0; m < models; m++) {
          double p = LogisticRegression.sigmoid(LogisticRegression.dot(f.modelEmbedding[m], e) + f.bias[m]);
          double r = scores[row][m] - p;
          for (int k = 0; k < e.length; k++) {
            ge[k] += r * f.modelEmbedding[m][k];
            f.modelEmbedding[m][k] += lr * (r * e[k] - s.l2() * f.modelEmbedding[m][k]);
          }
          f.bias[m] += lr * r;
        }
        f.stepProjection(x[row], ge, lr, s.l2());
      }
    }
    return f;
  }

  /** Pairwise fit on comparisons among {@code models} models. */
  public static BilinearFactorization fitPairwise(double[][] x, java.util.List<Comparison> comparisons, int models,
      Settings s) {
    if (x.length == 0 || comparisons.isEmpty()) {
      throw new IllegalArgumentException("pairwise factorisation needs rows and comparisons");
    }
    BilinearFactorization f = init(x[0].length, models, s);
    Random random = new Random(s.seed());
    int[] order = order(comparisons.size());
    double[] e = new double[s.rank()];
    double[] ge = new double[s.rank()];
    for (int epoch = 0; epoch < s.epochs(); epoch++) {
      shuffle(order, random);
      double lr = s.learningRate() / (1 + 0.1 * epoch);
      for (int idx : order) {
        Comparison c = comparisons.get(idx);
        if (c.row() < 0 || c.row() >= x.length || c.a() >= models || c.b() >= models) {
          throw new IllegalArgumentException("comparison out of range: " + c);
        }
        f.embed(x[c.row()], e);
        double[] va = f.modelEmbedding[c.a()];
        double[] vb = f.modelEmbedding[c.b()];
        double margin = LogisticRegression.dot(va, e) + f.bias[c.a()] - LogisticRegression.dot(vb, e) - f.bias[c.b()];
        double r = c.weight() * (c.result() - LogisticRegression.sigmoid(margin));
        for (int k = 0; k < e.length; k++) {
          ge[k] = r * (va[k] - vb[k]);
          double a = va[k];
          va[k] += lr * (r * e[k] - s.l2() * va[k]);
          vb[k] += lr * (-r * e[k] - s.l2() * vb[k]);
          if (Double.isNaN(a)) {
            throw new IllegalStateException("factorisation diverged; lower the learning rate");
          }
        }
        f.bias[c.a()] += lr * r;
        f.bias[c.b()] -= lr * r;
        f.stepProjection(x[c.row()], ge, lr, s.l2());
      }
    }
    return f;
  }

  /** {@code s(q, m)} for every model. */
  public double[] scores(double[] features) {
    double[] e = new double[modelEmbedding[0].length];
    embed(features, e);
    double[] out = new double[modelEmbedding.length];
    for (int m = 0; m < out.length; m++) {
      out[m] = LogisticRegression.dot(modelEmbedding[m], e) + bias[m];
    }
    return out;
  }

  private void embed(double[] x, double[] e) {
    if (x.length != projection[0].length) {
      throw new IllegalArgumentException("feature length " + x.length + " differs from " + projection[0].length);
    }
    for (int k = 0; k < e.length; k++) {
      e[k] = LogisticRegression.dot(projection[k], x);
    }
  }

  private void stepProjection(double[] x, double[] ge, double lr, double l2) {
    for (int k = 0; k < ge.length; k++) {
      double[] pk = projection[k];
      double g = ge[k];
      for (int j = 0; j < x.length; j++) {
        if (x[j] != 0) {
          pk[j] += lr * (g * x[j] - l2 * pk[j]);
        }
      }
    }
  }

  private static BilinearFactorization init(int d, int models, Settings s) {
    Random random = new Random(s.seed() ^ 0x5DEECE66DL);
    double[][] p = new double[s.rank()][d];
    double scale = 1.0 / Math.sqrt(d);
    for (double[] row : p) {
      for (int j = 0; j < d; j++) {
        row[j] = random.nextGaussian() * scale;
      }
    }
    double[][] v = new double[models][s.rank()];
    for (double[] row : v) {
      for (int k = 0; k < row.length; k++) {
        row[k] = random.nextGaussian() * 0.3;
      }
    }
    return new BilinearFactorization(p, v, new double[models]);
  }

  private static int[] order(int n) {
    int[] o = new int[n];
    for (int i = 0; i < n; i++) {
      o[i] = i;
    }
    return o;
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
