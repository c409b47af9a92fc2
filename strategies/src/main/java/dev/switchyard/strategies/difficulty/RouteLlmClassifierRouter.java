package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;

/**
 * RouteLLM's classifier router (Ong et al., arXiv 2406.18665, §4.1, the BERT classifier): a classifier of
 * {@code P(strong beats weak | q)} trained on the training queries labelled 1 when the strong model's recorded
 * score is higher than the weak model's, else 0 (a tie means the weak model suffices). The strong model is called
 * when the probability exceeds the threshold calibrated to the requested strong-call share.
 */
public final class RouteLlmClassifierRouter extends StrongWeakRouter {
  private final double l2;
  private LogisticRegression classifier;

  public RouteLlmClassifierRouter() {
    this(128, 1.0);
  }

  public RouteLlmClassifierRouter(int hashDimension, double l2) {
    super(hashDimension);
    this.l2 = l2;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("routellm-classifier",
        "Ong et al., RouteLLM: Learning to Route LLMs with Preference Data, arXiv 2406.18665 (BERT classifier)",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY),
        "logistic regression on hashed n-grams, lexical cues and the task one-hot instead of a fine-tuned BERT; "
            + "labels from recorded correctness; strong = best single training model, weak = best model at <= 10% "
            + "of its cost");
  }

  @Override
  protected void fitScorer(RecordedDataset train, TrainingSet set, StrategyContext context) {
    double[] y = new double[set.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = set.scores()[i][strong] > set.scores()[i][weak] ? 1 : 0;
    }
    classifier = LogisticRegression.fit(set.featureMatrix(), y, l2);
  }

  @Override
  protected double strongScore(QueryEncoder.Encoded query) {
    return classifier.probability(query.features());
  }
}
