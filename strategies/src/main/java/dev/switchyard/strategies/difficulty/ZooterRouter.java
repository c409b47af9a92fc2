package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.ml.SoftmaxRegression;

/**
 * Zooter (Lu et al., "Routing to the Expert: Efficient Reward-guided Ensemble of Large Language Models", arXiv
 * 2311.08692): reward distillation. Each training query's per-model rewards {@code r_m} are normalised,
 * {@code z_m = (r_m - mean r) / (std r + eps)}, turned into a target routing distribution
 * {@code t = softmax(z / tau)}, and a softmax router {@code p(m | x) = softmax(W x)_m} is trained to minimise
 * {@code KL(t || p)}. Zooter routes to {@code argmax_m p(m | x)}; here the choice is cost-aware,
 * {@code argmax_m p(m | x) / max_k p(k | x) - lambda c_m / C}, which is Zooter's rule at {@code lambda = 0}.
 */
public final class ZooterRouter extends UtilityRouter {
  private final double temperature;
  private final double l2;
  private final int iterations;
  private final double rate;
  private SoftmaxRegression router;

  public ZooterRouter() {
    this(128, 0.5, 1e-4, 150, 0.5);
  }

  public ZooterRouter(int hashDimension, double temperature, double l2, int iterations, double rate) {
    super(hashDimension);
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    this.temperature = temperature;
    this.l2 = l2;
    this.iterations = iterations;
    this.rate = rate;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("zooter",
        "Lu et al., Routing to the Expert: Efficient Reward-guided Ensemble of Large Language Models, arXiv 2311.08692",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY),
        "rewards are the recorded scores (no reward model); the router is a softmax regression on hashed "
            + "n-grams, lexical cues and the task one-hot instead of a fine-tuned mDeBERTa; no tag-based label "
            + "enhancement; cost-aware choice via the utility");
  }

  /** The target distribution distilled from one query's rewards. */
  public static double[] targetDistribution(double[] rewards, double temperature) {
    double mean = java.util.Arrays.stream(rewards).average().orElse(0);
    double var = 0;
    for (double r : rewards) {
      var += (r - mean) * (r - mean);
    }
    double std = Math.sqrt(var / rewards.length);
    double[] t = new double[rewards.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int m = 0; m < t.length; m++) {
      t[m] = (rewards[m] - mean) / (std + 1e-6) / temperature;
      max = Math.max(max, t[m]);
    }
    double sum = 0;
    for (int m = 0; m < t.length; m++) {
      t[m] = Math.exp(t[m] - max);
      sum += t[m];
    }
    for (int m = 0; m < t.length; m++) {
      t[m] /= sum;
    }
    return t;
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    double[][] targets = new double[set.size()][];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = targetDistribution(set.scores()[i], temperature);
    }
    router = SoftmaxRegression.fit(set.featureMatrix(), targets, l2, iterations, rate);
  }

  /** The distilled routing distribution for a query. */
  public double[] routingDistribution(String text, String task) {
    requireFitted();
    return router.probabilities(encoder.encode(text, task).features());
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    double[] p = router.probabilities(query.features());
    double max = java.util.Arrays.stream(p).max().orElse(1);
    for (int m = 0; m < p.length; m++) {
      p[m] /= max;
    }
    return p;
  }
}
