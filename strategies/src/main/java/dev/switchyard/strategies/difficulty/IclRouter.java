package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.KnnIndex;
import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.List;

/**
 * ICL-Router (Wang et al., "ICL-Router: In-Context Learned Model Representations for LLM Routing", arXiv
 * 2510.09719): a model is represented by its outcomes on profiled queries, and the router predicts whether it
 * answers a new query correctly from the queries most similar to it. Without an LLM to condition on in-context
 * vectors, the estimate is retrieval-based: over the {@code k} most similar training queries {@code i} (cosine of
 * TF-IDF vectors), with weights {@code w_i = exp(sim_i / tau)},
 * {@code P(m correct on q) = (sum_i w_i y_im + kappa p_m,task) / (sum_i w_i + kappa)}, shrunk toward the model's
 * mean score {@code p_m,task} on the query's task (overall mean if the task is unknown). A new model needs only
 * profiled outcomes, no retraining, as in the paper.
 */
public final class IclRouter extends UtilityRouter {
  private final int k;
  private final double temperature;
  private final double priorStrength;
  private KnnIndex index;

  public IclRouter() {
    this(512, 24, 0.1, 2.0);
  }

  public IclRouter(int hashDimension, int k, double temperature, double priorStrength) {
    super(hashDimension);
    if (k < 1 || !(temperature > 0) || priorStrength < 0) {
      throw new IllegalArgumentException("need k >= 1, temperature > 0, priorStrength >= 0; got " + k + ", "
          + temperature + ", " + priorStrength);
    }
    this.k = k;
    this.temperature = temperature;
    this.priorStrength = priorStrength;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("icl-router",
        "Wang et al., ICL-Router: In-Context Learned Model Representations for LLM Routing, arXiv 2510.09719",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "no LLM reads in-context vectors: the in-context examples (most similar profiled queries and each model's "
            + "outcome on them) are aggregated by a similarity-weighted, prior-smoothed estimate");
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    index = new KnnIndex(set.tfidfRows());
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    int models = training.models().size();
    double[] prior = taskPrior.of(query.taskWeights());
    double[] sum = new double[models];
    double weights = 0;
    List<KnnIndex.Neighbour> nearest = index.nearest(query.tfidf(), k, -1);
    for (KnnIndex.Neighbour nb : nearest) {
      double w = Math.exp(nb.similarity() / temperature);
      weights += w;
      for (int m = 0; m < models; m++) {
        sum[m] += w * training.scores()[nb.index()][m];
      }
    }
    // normalise the kernel so that kappa is measured in "neighbours' worth" of evidence
    double scale = weights > 0 ? nearest.size() / weights : 0;
    double[] p = new double[models];
    for (int m = 0; m < models; m++) {
      p[m] = (sum[m] * scale + priorStrength * prior[m]) / (nearest.size() + priorStrength);
    }
    return p;
  }
}
