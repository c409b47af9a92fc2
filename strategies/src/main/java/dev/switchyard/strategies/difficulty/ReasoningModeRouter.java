package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.features.LexicalCues;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;

/**
 * Reasoning on/off routing as in vLLM Semantic Router (vllm-project/semantic-router, 2025): a category classifier
 * reads the prompt, each category carries a "use reasoning" decision, and queries of reasoning categories go to the
 * strong/reasoning model while the rest go to a fast model. Here the category is predicted from the text alone
 * (nearest task centroid of TF-IDF vectors, ignoring any task field, as the semantic router sees only the prompt),
 * and the reasoning decision is a logistic classifier over {@code [category one-hot, lexical complexity cues]}
 * predicting whether the strong model beats the fast one (recorded scores). Its probability is thresholded at the
 * calibrated strong-call share, so each category's intercept plays the role of the per-category reasoning flag
 * and the cues refine it within a category.
 */
public final class ReasoningModeRouter extends StrongWeakRouter {
  private final LexicalCues cues = new LexicalCues();
  private final double l2;
  private LogisticRegression classifier;

  public ReasoningModeRouter() {
    this(512, 0.3);
  }

  public ReasoningModeRouter(int hashDimension, double l2) {
    super(hashDimension);
    this.l2 = l2;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("vllm-sr-reasoning",
        "vLLM Semantic Router (vllm-project/semantic-router, 2025): category classification with reasoning on/off",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY),
        "categories are the training tasks, predicted from text by nearest TF-IDF centroid instead of a ModernBERT "
            + "classifier; the per-category reasoning flag is learned (category intercepts plus lexical cues) "
            + "instead of configured; strong = best single training model, fast = best model at <= 10% of its cost");
  }

  @Override
  protected void fitScorer(RecordedDataset train, TrainingSet set, StrategyContext context) {
    double[][] x = new double[set.size()][];
    double[] y = new double[set.size()];
    for (int i = 0; i < y.length; i++) {
      x[i] = features(set.queries().get(i));
      y[i] = set.scores()[i][strong] > set.scores()[i][weak] ? 1 : 0;
    }
    classifier = LogisticRegression.fit(x, y, l2);
  }

  /** The predicted category (a training task) of a text. */
  public String category(String text) {
    requireFitted();
    return encoder.tasks().get(argmax(encoder.inferredTaskWeights(encoder.tfidf(text))));
  }

  @Override
  protected double strongScore(QueryEncoder.Encoded query) {
    return classifier.probability(features(query));
  }

  private double[] features(QueryEncoder.Encoded query) {
    int category = argmax(encoder.inferredTaskWeights(query.tfidf()));
    double[] c = cues.features(query.text());
    double[] f = new double[encoder.tasks().size() + c.length];
    f[category] = 1;
    System.arraycopy(c, 0, f, encoder.tasks().size(), c.length);
    return f;
  }

  private static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
