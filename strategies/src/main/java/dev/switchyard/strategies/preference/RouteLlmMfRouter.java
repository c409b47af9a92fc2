package dev.switchyard.strategies.preference;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.difficulty.StrongWeakRouter;
import dev.switchyard.strategies.difficulty.TrainingSet;
import dev.switchyard.strategies.ml.BilinearFactorization;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * RouteLLM's matrix-factorisation router (Ong et al., "RouteLLM: Learning to Route LLMs with Preference Data",
 * arXiv 2406.18665, §4.1): a bilinear scoring function {@code s(q, m) = v_m . (P x_q) + b_m} learned from
 * pairwise preferences, {@code P(a beats b | q) = sigmoid(s(q, a) - s(q, b))}; the router's score is
 * {@code P(strong beats weak | q)} and the strong model is called when it exceeds the threshold calibrated to the
 * requested strong-call share (see {@link StrongWeakRouter}). Preferences are the recorded outcomes of every model
 * pair that involves the strong or the weak model on a training query, a tie counting as half a win: leaving ties
 * out would fit {@code P(strong beats weak | the two differ)}, which is high exactly on the easy queries where
 * the weak model fails alone, and ranks queries backwards.
 */
public final class RouteLlmMfRouter extends StrongWeakRouter {
  private final BilinearFactorization.Settings settings;
  private BilinearFactorization factorisation;

  public RouteLlmMfRouter() {
    this(128, 8, 10, 0.05, 1e-3);
  }

  public RouteLlmMfRouter(int hashDimension, int rank, int epochs, double learningRate, double l2) {
    super(hashDimension);
    this.settings = new BilinearFactorization.Settings(rank, epochs, learningRate, l2, 0);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("routellm-mf",
        "Ong et al., RouteLLM: Learning to Route LLMs with Preference Data, arXiv 2406.18665 (matrix factorisation)",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "preferences derived from recorded correctness of all model pairs instead of Chatbot Arena votes; query "
            + "embedding projected from hashed n-grams, lexical cues and the task one-hot instead of "
            + "text-embedding-3-small; strong = best single training model, weak = best model at <= 10% of its cost");
  }

  @Override
  protected void fitScorer(RecordedDataset train, TrainingSet set, StrategyContext context) {
    List<BilinearFactorization.Comparison> comparisons = new ArrayList<>();
    int models = set.models().size();
    for (int i = 0; i < set.size(); i++) {
      double[] s = set.scores()[i];
      for (int a = 0; a < models; a++) {
        for (int b = a + 1; b < models; b++) {
          if (a == strong || a == weak || b == strong || b == weak) {
            comparisons.add(new BilinearFactorization.Comparison(i, a, b, s[a] > s[b] ? 1 : s[a] == s[b] ? 0.5 : 0, 1));
          }
        }
      }
    }
    if (comparisons.isEmpty()) {
      throw new IllegalArgumentException("routellm-mf: no training comparisons");
    }
    factorisation = BilinearFactorization.fitPairwise(set.featureMatrix(), comparisons, models,
        new BilinearFactorization.Settings(settings.rank(), settings.epochs(), settings.learningRate(),
            settings.l2(), context.seed()));
  }

  @Override
  protected double strongScore(QueryEncoder.Encoded query) {
    double[] s = factorisation.scores(query.features());
    return LogisticRegression.sigmoid(s[strong] - s[weak]);
  }
}
