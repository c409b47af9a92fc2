package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.ml.RidgeRegression;

/**
 * RouteLMT (Luo et al., "RouteLMT: Learned Sample Routing for Hybrid LLM Translation Deployment", arXiv
 * 2604.22520): routing under a large-model budget is a budget allocation whose optimal signal is the large
 * model's marginal gain {@code g(x) = E[s_large - s_small | x]}, not the query's absolute difficulty. A regressor
 * predicts {@code g(x)} (here ridge regression on the query's features with target {@code s_large - s_small}, in
 * [-1, 1] for 0/1 scores); the queries with the largest predicted gain go to the large model, up to the requested
 * share (threshold calibrated on the training split). The paper's predictor probes the small model's hidden state
 * at the last prompt token; none is available here.
 */
public final class RouteLmtRouter extends StrongWeakRouter {
  private final double l2;
  private RidgeRegression gain;

  public RouteLmtRouter() {
    this(128, 3.0);
  }

  public RouteLmtRouter(int hashDimension, double l2) {
    super(hashDimension);
    this.l2 = l2;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("routelmt",
        "Luo et al., RouteLMT: Learned Sample Routing for Hybrid LLM Translation Deployment, arXiv 2604.22520",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY),
        "marginal gain regressed by ridge regression on hashed n-grams, lexical cues and the task one-hot instead of "
            + "a probe on the small model's prompt-token representation; small = best model at <= 10% of the large "
            + "(best single) model's cost");
  }

  @Override
  protected void fitScorer(RecordedDataset train, TrainingSet set, StrategyContext context) {
    double[] y = new double[set.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = set.scores()[i][strong] - set.scores()[i][weak];
    }
    gain = RidgeRegression.fit(set.featureMatrix(), y, l2);
  }

  /** Predicted marginal gain of the large model over the small one. */
  public double predictedGain(String text, String task) {
    requireFitted();
    return gain.predict(encoder.encode(text, task).features());
  }

  @Override
  protected double strongScore(QueryEncoder.Encoded query) {
    return gain.predict(query.features());
  }
}
