package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.KnnIndex;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.List;
import java.util.TreeSet;

/**
 * Hybrid LLM (Ding et al., "Hybrid LLM: Cost-Efficient and Quality-Aware Query Routing", arXiv 2404.14618): a
 * router predicts, from the query, the probability that the small model's quality is within a relaxation
 * {@code t} of the large model's, {@code P(q_small(x) >= q_large(x) - t)}, and sends the query to the small
 * model when that probability is high; the threshold is set to reach a requested share of large-model calls (the
 * paper's "cost advantage" is the small share). The paper's probabilistic labels average several sampled
 * responses per query; with one recorded answer per model the label of a training query is instead the share of
 * its {@code k} nearest training queries (itself included) on which {@code s_small >= s_large - t} holds. With no
 * fixed {@code t}, the relaxation is the paper's transformed choice: among the observed gaps
 * {@code s_large - s_small}, the {@code t} whose hard labels are closest to balanced (maximal label variance).
 */
public final class HybridLlmRouter extends StrongWeakRouter {
  private final Double fixedRelaxation;
  private final int labelNeighbours;
  private final double l2;
  private double relaxation;
  private LogisticRegression classifier;

  public HybridLlmRouter() {
    this(128, null, 10, 1.0);
  }

  /** @param relaxation the relaxation {@code t}, or null to choose it by label balance */
  public HybridLlmRouter(int hashDimension, Double relaxation, int labelNeighbours, double l2) {
    super(hashDimension);
    if (relaxation != null && !(relaxation >= 0)) {
      throw new IllegalArgumentException("relaxation must be >= 0, got " + relaxation);
    }
    if (labelNeighbours < 1) {
      throw new IllegalArgumentException("labelNeighbours must be >= 1, got " + labelNeighbours);
    }
    this.fixedRelaxation = relaxation;
    this.labelNeighbours = labelNeighbours;
    this.l2 = l2;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("hybrid-llm",
        "Ding et al., Hybrid LLM: Cost-Efficient and Quality-Aware Query Routing, arXiv 2404.14618",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY),
        "soft labels from the k nearest training queries instead of 10 sampled responses per query; logistic "
            + "regression instead of DeBERTa; small = best model at <= 10% of the large (best single) model's cost");
  }

  /** The relaxation {@code t} in use after fitting. */
  public double relaxation() {
    requireFitted();
    return relaxation;
  }

  /** The relaxation whose labels {@code gap <= t} are closest to balanced, among the observed gaps. */
  static double balancedRelaxation(double[] gaps) {
    TreeSet<Double> candidates = new TreeSet<>();
    candidates.add(0.0);
    for (double g : gaps) {
      if (g >= 0) {
        candidates.add(g);
      }
    }
    double best = 0;
    double bestVariance = -1;
    for (double t : candidates) {
      long positives = java.util.Arrays.stream(gaps).filter(g -> g <= t).count();
      double p = positives / (double) gaps.length;
      double variance = p * (1 - p);
      if (variance > bestVariance + 1e-12) {
        best = t;
        bestVariance = variance;
      }
    }
    return best;
  }

  @Override
  protected void fitScorer(RecordedDataset train, TrainingSet set, StrategyContext context) {
    double[] gaps = new double[set.size()];
    for (int i = 0; i < gaps.length; i++) {
      gaps[i] = set.scores()[i][strong] - set.scores()[i][weak];
    }
    relaxation = fixedRelaxation != null ? fixedRelaxation : balancedRelaxation(gaps);
    KnnIndex index = new KnnIndex(set.tfidfRows());
    double[] y = new double[set.size()];
    for (int i = 0; i < y.length; i++) {
      List<KnnIndex.Neighbour> nearest = index.nearest(set.queries().get(i).tfidf(), labelNeighbours, -1);
      double ok = gaps[i] <= relaxation ? 1 : 0;
      int count = 1;
      for (KnnIndex.Neighbour nb : nearest) {
        if (nb.index() != i) {
          ok += gaps[nb.index()] <= relaxation ? 1 : 0;
          count++;
        }
        if (count == labelNeighbours) {
          break;
        }
      }
      y[i] = ok / count;
    }
    classifier = LogisticRegression.fit(set.featureMatrix(), y, l2);
  }

  /** Predicted {@code P(small within t of large)} for a query. */
  public double smallSufficesProbability(String text, String task) {
    requireFitted();
    return classifier.probability(encoder.encode(text, task).features());
  }

  @Override
  protected double strongScore(QueryEncoder.Encoded query) {
    return 1 - classifier.probability(query.features());
  }
}
