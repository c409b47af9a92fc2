package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.Adam;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;

/**
 * IRT-Router (Song et al., "IRT-Router: Effective and Interpretable Multi-LLM Routing via Item Response Theory",
 * arXiv 2506.01048): a two-parameter item response model. Each model has an ability {@code theta_m}; each query a
 * difficulty {@code b_q = w_b . x_q} and a discrimination {@code a_q = softplus(w_a . x_q)} predicted from its
 * features, and {@code P(m correct on q) = sigmoid(a_q (theta_m - b_q))}. Parameters maximise the training
 * log-likelihood minus {@code l2/2 (|w_a|^2 + |w_b|^2 + |theta|^2)} by full-batch Adam (deterministic, from
 * zero). Routing picks {@code argmax_m P - lambda c_m / C}.
 */
public final class IrtRouter extends UtilityRouter {
  private final int iterations;
  private final double learningRate;
  private final double l2;
  private double[] wa;
  private double[] wb;
  private double[] theta;

  public IrtRouter() {
    this(128, 200, 0.05, 1e-3);
  }

  public IrtRouter(int hashDimension, int iterations, double learningRate, double l2) {
    super(hashDimension);
    if (iterations < 1 || !(learningRate > 0) || l2 < 0) {
      throw new IllegalArgumentException("need iterations >= 1, learningRate > 0, l2 >= 0; got " + iterations + ", "
          + learningRate + ", " + l2);
    }
    this.iterations = iterations;
    this.learningRate = learningRate;
    this.l2 = l2;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("irt-router",
        "Song et al., IRT-Router: Effective and Interpretable Multi-LLM Routing via Item Response Theory, "
            + "arXiv 2506.01048",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "unidimensional 2PL IRT (the paper's MIRT uses multidimensional abilities and a pretrained query encoder); "
            + "difficulty and discrimination are linear in hashed n-grams, lexical cues and the task one-hot");
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    double[][] x = set.featureMatrix();
    double[][] y = set.scores();
    int n = x.length;
    int d = x[0].length;
    int models = y[0].length;
    wa = new double[d];
    wb = new double[d];
    theta = new double[models];
    Adam adam = new Adam(2 * d + models, learningRate);
    double[] grad = new double[2 * d + models];
    double[] params = new double[2 * d + models];
    for (int it = 0; it < iterations; it++) {
      java.util.Arrays.fill(grad, 0);
      for (int i = 0; i < n; i++) {
        double za = dot(wa, x[i]);
        double a = softplus(za);
        double b = dot(wb, x[i]);
        double ga = 0;
        double gb = 0;
        for (int m = 0; m < models; m++) {
          double r = y[i][m] - LogisticRegression.sigmoid(a * (theta[m] - b));
          grad[2 * d + m] += r * a;
          ga += r * (theta[m] - b);
          gb -= r * a;
        }
        ga *= LogisticRegression.sigmoid(za);
        for (int j = 0; j < d; j++) {
          if (x[i][j] != 0) {
            grad[j] += ga * x[i][j];
            grad[d + j] += gb * x[i][j];
          }
        }
      }
      for (int j = 0; j < d; j++) {
        params[j] = wa[j];
        params[d + j] = wb[j];
      }
      System.arraycopy(theta, 0, params, 2 * d, models);
      for (int j = 0; j < grad.length; j++) {
        grad[j] = grad[j] / n - l2 * params[j];
      }
      adam.ascend(params, grad);
      System.arraycopy(params, 0, wa, 0, d);
      System.arraycopy(params, d, wb, 0, d);
      System.arraycopy(params, 2 * d, theta, 0, models);
    }
  }

  /** The fitted abilities {@code theta_m}, in training model order. */
  public double[] abilities() {
    requireFitted();
    return theta.clone();
  }

  /** Predicted difficulty {@code b_q} and discrimination {@code a_q} of a query. */
  public double[] difficultyAndDiscrimination(String text, String task) {
    requireFitted();
    double[] x = encoder.encode(text, task).features();
    return new double[] {dot(wb, x), softplus(dot(wa, x))};
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    double[] x = query.features();
    double a = softplus(dot(wa, x));
    double b = dot(wb, x);
    double[] p = new double[theta.length];
    for (int m = 0; m < p.length; m++) {
      p[m] = LogisticRegression.sigmoid(a * (theta[m] - b));
    }
    return p;
  }

  private static double softplus(double z) {
    return z > 30 ? z : Math.log1p(Math.exp(z));
  }

  private static double dot(double[] w, double[] x) {
    double s = 0;
    for (int j = 0; j < w.length; j++) {
      s += w[j] * x[j];
    }
    return s;
  }
}
