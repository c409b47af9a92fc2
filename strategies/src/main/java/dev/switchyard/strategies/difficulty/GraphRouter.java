package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.features.LexicalCues;
import dev.switchyard.strategies.ml.KnnIndex;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.List;

/**
 * GraphRouter (Feng, Shen &amp; You, "GraphRouter: A Graph-based Router for LLM Selections", arXiv 2410.03834):
 * routing as edge prediction on a heterogeneous graph of task, query and model nodes, where query-model edges
 * carry the observed quality and cost. This is a light, non-neural version of the paper's heterogeneous GNN
 * ("propagated-feature edge classifier"): one round of message passing builds, for a candidate edge (q, m),
 * <ul>
 *   <li>query-query-model messages: the similarity-weighted mean correctness of m over q's {@code k} nearest
 *       training queries (TF-IDF cosine; leave-one-out when q is itself a training query),</li>
 *   <li>query-task-model messages: m's mean correctness on q's task (soft task if the query names none),</li>
 *   <li>model node features: logit of m's mean quality, log of its cost relative to the largest, an identity
 *       one-hot, and query node features: lexical difficulty cues, also crossed with m's quality,</li>
 * </ul>
 * and one logistic edge classifier shared by all models (with per-model slopes on both messages) predicts
 * {@code P(edge (q, m) is correct)}. The cost edge is the model's mean cost on the task ({@link CostModel}).
 * Routing picks {@code argmax_m P - lambda c_m / C}.
 */
public final class GraphRouter extends UtilityRouter {
  private final int k;
  private final double l2;
  private KnnIndex index;
  private LogisticRegression edgeClassifier;
  private double[] logitPrior;
  private double[] logCost;

  public GraphRouter() {
    this(512, 20, 1.0);
  }

  public GraphRouter(int hashDimension, int k, double l2) {
    super(hashDimension);
    if (k < 1 || !(l2 > 0)) {
      throw new IllegalArgumentException("need k >= 1 and l2 > 0; got " + k + ", " + l2);
    }
    this.k = k;
    this.l2 = l2;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("graphrouter",
        "Feng, Shen & You, GraphRouter: A Graph-based Router for LLM Selections, arXiv 2410.03834",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "one round of feature propagation over query-query (kNN), query-task and task-model edges feeding a "
            + "logistic edge classifier, instead of a trained heterogeneous GNN over LM-encoded node features");
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    int models = set.models().size();
    index = new KnnIndex(set.tfidfRows());
    logitPrior = new double[models];
    logCost = new double[models];
    for (int m = 0; m < models; m++) {
      double p = Math.min(0.99, Math.max(0.01, set.meanScore(m)));
      logitPrior[m] = Math.log(p / (1 - p));
      logCost[m] = Math.log(Math.max(1e-12, costs.meanCost(set.models().get(m))) / costs.scale());
    }
    int n = set.size();
    double[][] x = new double[n * models][];
    double[] y = new double[n * models];
    for (int i = 0; i < n; i++) {
      double[][] edges = edgeFeatures(set.queries().get(i), i);
      for (int m = 0; m < models; m++) {
        x[i * models + m] = edges[m];
        y[i * models + m] = set.scores()[i][m];
      }
    }
    edgeClassifier = LogisticRegression.fit(x, y, l2);
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    double[][] edges = edgeFeatures(query, -1);
    double[] p = new double[edges.length];
    for (int m = 0; m < p.length; m++) {
      p[m] = edgeClassifier.probability(edges[m]);
    }
    return p;
  }

  /** Features of every candidate edge (q, m); {@code self} is q's training row to leave out, or -1. */
  private double[][] edgeFeatures(QueryEncoder.Encoded query, int self) {
    int models = training.models().size();
    double[] neighbour = new double[models];
    double weights = 0;
    List<KnnIndex.Neighbour> nearest = index.nearest(query.tfidf(), k, self);
    for (KnnIndex.Neighbour nb : nearest) {
      double w = Math.max(0, nb.similarity());
      weights += w;
      for (int m = 0; m < models; m++) {
        neighbour[m] += w * training.scores()[nb.index()][m];
      }
    }
    double[] task = taskPrior.of(query.taskWeights());
    double[] cues = query.features();
    int cueCount = LexicalCues.NAMES.length;
    int cueStart = cues.length - encoder.tasks().size() - cueCount;
    double[][] out = new double[models][];
    for (int m = 0; m < models; m++) {
      double nb = weights > 0 ? neighbour[m] / weights : task[m];
      double[] f = new double[4 + 3 * models + 2 * cueCount];
      f[0] = nb;
      f[1] = task[m];
      f[2] = logitPrior[m];
      f[3] = logCost[m];
      f[4 + m] = 1;
      f[4 + models + m] = nb;
      f[4 + 2 * models + m] = task[m];
      for (int c = 0; c < cueCount; c++) {
        double cue = cues[cueStart + c];
        f[4 + 3 * models + c] = cue;
        f[4 + 3 * models + cueCount + c] = cue * logitPrior[m];
      }
      out[m] = f;
    }
    return out;
  }
}
