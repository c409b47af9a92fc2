package dev.switchyard.strategies.clustering;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.support.ModelStats;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.KMeans;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Avengers-Pro (Zhang et al., "Beyond GPT-5: Making LLMs Cheaper and Better via Performance-Efficiency
 * Optimized Routing", arXiv 2508.12631).
 *
 * <p>Training queries are clustered by K-means. In each cluster {@code c}, model {@code m} has a performance
 * {@code p_cm} (mean score, shrunk towards the model's mean with {@code s} pseudo-queries) and a cost
 * {@code q_cm} (mean cost); both are min-max normalised across models within the cluster, and the
 * performance-efficiency score is {@code x_cm = alpha * p~_cm + (1 - alpha) * (1 - q~_cm)}. A query is
 * mapped to its {@code topP} nearest clusters and routed to {@code argmax_m sum_c x_cm}. The weight
 * {@code alpha} in [0, 1] is the trade-off (0 = cheapest, 1 = best performing).
 */
public final class AvengersPro implements Strategy {
  private final int clusters;
  private final int topP;
  private final int ngramDimension;
  private final double shrinkage;
  private QueryEncoder encoder;
  private KMeans kmeans;
  private List<String> models = List.of();
  private double[][] performance;
  private double[][] cost;

  public AvengersPro() {
    this(16, 2, 256, 5.0);
  }

  public AvengersPro(int clusters, int topP, int ngramDimension, double shrinkage) {
    if (clusters < 1 || topP < 1) {
      throw new IllegalArgumentException("clusters and topP must be >= 1, got " + clusters + ", " + topP);
    }
    if (shrinkage < 0) {
      throw new IllegalArgumentException("shrinkage must be >= 0, got " + shrinkage);
    }
    this.clusters = clusters;
    this.topP = topP;
    this.ngramDimension = ngramDimension;
    this.shrinkage = shrinkage;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("avengers-pro",
        "Zhang et al., Beyond GPT-5: Making LLMs Cheaper and Better via Performance-Efficiency Optimized "
            + "Routing, arXiv 2508.12631",
        Dimensions.of(When.PRE_GENERATION, How.UNSUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "K-means over hashed n-gram TF-IDF + lexical cues + task one-hot instead of a pretrained text encoder; "
            + "cluster performance shrunk towards the model mean");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    encoder = QueryEncoder.fit(train, ngramDimension);
    double[][] x = train.queries().stream().map(encoder::features).toArray(double[][]::new);
    kmeans = KMeans.fit(x, clusters, context.seed(), 50);
    models = train.models();
    int k = kmeans.k();
    double[][] scoreSum = new double[k][models.size()];
    double[][] costSum = new double[k][models.size()];
    int[] count = new int[k];
    for (int i = 0; i < x.length; i++) {
      int c = kmeans.nearest(x[i]);
      count[c]++;
      RecordedQuery q = train.queries().get(i);
      for (int m = 0; m < models.size(); m++) {
        scoreSum[c][m] += q.outcome(models.get(m)).score();
        costSum[c][m] += q.outcome(models.get(m)).costUsd();
      }
    }
    performance = new double[k][models.size()];
    cost = new double[k][models.size()];
    for (int c = 0; c < k; c++) {
      for (int m = 0; m < models.size(); m++) {
        String id = models.get(m);
        performance[c][m] = (scoreSum[c][m] + shrinkage * train.meanScore(id)) / (count[c] + shrinkage);
        cost[c][m] = count[c] == 0 ? train.meanCost(id) : costSum[c][m] / count[c];
      }
      minMax(performance[c]);
      minMax(cost[c]);
    }
  }

  private static void minMax(double[] v) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 0.5;
    }
  }

  @Override
  public double[] tradeoffs() {
    double[] a = new double[21];
    for (int i = 0; i < a.length; i++) {
      a[i] = i / 20.0;
    }
    return a;
  }

  /** The cluster-aggregated performance-efficiency score of each training model for a query. */
  public double[] scores(String text, String task, double alpha) {
    requireFitted();
    double[] s = new double[models.size()];
    for (int c : kmeans.nearest(encoder.features(text, task), topP)) {
      for (int m = 0; m < s.length; m++) {
        s[m] += alpha * performance[c][m] + (1 - alpha) * (1 - cost[c][m]);
      }
    }
    return s;
  }

  @Override
  public Planner planner(double alpha) {
    requireFitted();
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    return ThreeStagePipeline.routeOnly(state -> {
      double[] s = scores(state.query().text(), state.query().task(), alpha);
      List<String> ranking = new ArrayList<>(ModelStats.deployed(models, state));
      ranking.sort(Comparator.comparingDouble((String m) -> -s[models.indexOf(m)]));
      return new RouteDecision(ranking, s[models.indexOf(ranking.get(0))] / topP, "performance-efficiency");
    });
  }

  private void requireFitted() {
    if (kmeans == null) {
      throw new IllegalStateException("avengers-pro: fit() must run first");
    }
  }
}
