package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.BilinearFactorization;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;

/**
 * EmbedLLM (Zhuang et al., "EmbedLLM: Learning Compact Representations of Large Language Models", arXiv
 * 2410.02223): a query x model correctness matrix is factorised into model embeddings {@code v_m} and a query
 * embedding {@code e_q = P x_q} projected from the query's representation, with
 * {@code P(m correct on q) = sigmoid(v_m . e_q + b_m)} trained by log-loss. Routing picks
 * {@code argmax_m P(m correct on q) - lambda c_m / C} (see {@link UtilityRouter}).
 */
public final class EmbedLlmRouter extends UtilityRouter {
  private final BilinearFactorization.Settings settings;
  private BilinearFactorization factorisation;

  public EmbedLlmRouter() {
    this(128, 8, 15, 0.05, 1e-4);
  }

  public EmbedLlmRouter(int hashDimension, int rank, int epochs, double learningRate, double l2) {
    super(hashDimension);
    this.settings = new BilinearFactorization.Settings(rank, epochs, learningRate, l2, 0);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("embedllm",
        "Zhuang et al., EmbedLLM: Learning Compact Representations of Large Language Models, arXiv 2410.02223",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "query embedding is a learned linear projection of hashed TF-IDF n-grams, lexical cues and the task "
            + "one-hot (no pretrained sentence encoder); cost-aware choice added via the utility");
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    BilinearFactorization.Settings seeded = new BilinearFactorization.Settings(settings.rank(), settings.epochs(),
        settings.learningRate(), settings.l2(), context.seed());
    factorisation = BilinearFactorization.fitPointwise(set.featureMatrix(), set.scores(), seeded);
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    double[] s = factorisation.scores(query.features());
    for (int m = 0; m < s.length; m++) {
      s[m] = LogisticRegression.sigmoid(s[m]);
    }
    return s;
  }
}
