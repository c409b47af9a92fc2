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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * UniRoute (Jitkrittum, Narasimhan, Rawat, Juneja, Wang, Wang, Menon &amp; Kumar, "Universal Model Routing for
 * Efficient LLM Inference", arXiv 2502.08773), the K-means variant.
 *
 * <p>Queries are featurised and clustered by K-means on the training split (unsupervised). Each model
 * {@code m} is represented by its per-cluster error vector {@code Psi_m in [0,1]^K}, the mean 0/1 error of
 * {@code m} on the labelled queries of each cluster, shrunk towards the model's overall error with
 * {@code s} pseudo-queries: {@code Psi_m[k] = (errors_mk + s * err_m) / (n_mk + s)}. A query {@code x} in
 * cluster {@code k(x)} goes to {@code argmin_m Psi_m[k(x)] + lambda * cost_m / costScale}; {@code lambda} is
 * the trade-off. A model unseen at training time is added with {@link #addModel}: its error vector is
 * computed from a few labelled queries per cluster, while the clusters and every other model's vector stay
 * exactly as they were (the paper's point: no router retraining when the pool changes).
 */
public final class UniRoute implements Strategy {
  /** A query with a known score for the model being added. */
  public record LabelledQuery(String text, String task, double score) {
    public LabelledQuery {
      Objects.requireNonNull(text, "text");
      if (!(score >= 0 && score <= 1)) {
        throw new IllegalArgumentException("score must be in [0, 1], got " + score);
      }
    }
  }

  /** A model's representation: per-cluster error and mean cost per query. */
  public record Profile(double[] clusterError, double meanCostUsd) {
    public Profile {
      clusterError = clusterError.clone();
    }

    @Override
    public double[] clusterError() {
      return clusterError.clone();
    }
  }

  private final int clusters;
  private final int ngramDimension;
  private final double shrinkage;
  private QueryEncoder encoder;
  private KMeans kmeans;
  private double costScale = 1;
  private volatile Map<String, Profile> profiles = Map.of();

  public UniRoute() {
    this(16, 256, 5.0);
  }

  /**
   * @param clusters K of K-means
   * @param ngramDimension hashed n-gram buckets of the query features (0 = lexical cues and task only)
   * @param shrinkage pseudo-queries {@code s} pulling a sparse cluster's error towards the model's mean
   */
  public UniRoute(int clusters, int ngramDimension, double shrinkage) {
    if (clusters < 1) {
      throw new IllegalArgumentException("clusters must be >= 1, got " + clusters);
    }
    if (shrinkage < 0) {
      throw new IllegalArgumentException("shrinkage must be >= 0, got " + shrinkage);
    }
    this.clusters = clusters;
    this.ngramDimension = ngramDimension;
    this.shrinkage = shrinkage;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("uniroute",
        "Jitkrittum et al., Universal Model Routing for Efficient LLM Inference, arXiv 2502.08773",
        Dimensions.of(When.PRE_GENERATION, How.UNSUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "K-means over hashed n-gram TF-IDF + lexical cues + task one-hot instead of a pretrained text encoder; "
            + "hard cluster assignment; per-cluster errors shrunk towards the model mean");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    encoder = QueryEncoder.fit(train, ngramDimension);
    double[][] x = train.queries().stream().map(encoder::features).toArray(double[][]::new);
    kmeans = KMeans.fit(x, clusters, context.seed(), 50);
    ModelStats stats = ModelStats.of(train);
    costScale = stats.costScale();
    Map<String, Profile> fitted = new LinkedHashMap<>();
    for (String m : train.models()) {
      List<LabelledQuery> labelled = new ArrayList<>();
      for (RecordedQuery q : train.queries()) {
        labelled.add(new LabelledQuery(q.prompt(), q.task(), q.outcome(m).score()));
      }
      fitted.put(m, profile(labelled, stats.cost(m)));
    }
    profiles = Map.copyOf(fitted);
  }

  /**
   * Adds (or replaces) a model from a few labelled queries, without touching the clusters or any other
   * model's profile. Planners created afterwards can route to it.
   */
  public synchronized void addModel(String modelId, double meanCostUsd, List<LabelledQuery> examples) {
    requireFitted();
    Objects.requireNonNull(modelId, "modelId");
    if (!(meanCostUsd >= 0)) {
      throw new IllegalArgumentException("meanCostUsd must be >= 0, got " + meanCostUsd);
    }
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("adding model " + modelId + " needs at least one labelled query");
    }
    Map<String, Profile> next = new LinkedHashMap<>(profiles);
    next.put(modelId, profile(examples, meanCostUsd));
    profiles = Map.copyOf(next);
  }

  private Profile profile(List<LabelledQuery> labelled, double meanCost) {
    double[] errors = new double[kmeans.k()];
    int[] counts = new int[kmeans.k()];
    double totalError = 0;
    for (LabelledQuery q : labelled) {
      int k = kmeans.nearest(encoder.features(q.text(), q.task()));
      errors[k] += 1 - q.score();
      counts[k]++;
      totalError += 1 - q.score();
    }
    double meanError = totalError / labelled.size();
    double[] psi = new double[kmeans.k()];
    for (int k = 0; k < psi.length; k++) {
      psi[k] = counts[k] + shrinkage == 0 ? meanError : (errors[k] + shrinkage * meanError) / (counts[k] + shrinkage);
    }
    return new Profile(psi, meanCost);
  }

  public int clusterOf(String text, String task) {
    requireFitted();
    return kmeans.nearest(encoder.features(text, task));
  }

  /** The current per-model profiles (an immutable snapshot). */
  public Map<String, Profile> profiles() {
    return profiles;
  }

  @Override
  public double[] tradeoffs() {
    return ModelStats.costWeightGrid();
  }

  /** The planner routes among the models known when it is created (call again after {@link #addModel}). */
  @Override
  public Planner planner(double costWeight) {
    requireFitted();
    if (!(costWeight >= 0)) {
      throw new IllegalArgumentException("costWeight must be >= 0, got " + costWeight);
    }
    Map<String, Profile> snapshot = profiles;
    double scale = costScale;
    return ThreeStagePipeline.routeOnly(state -> {
      int k = kmeans.nearest(encoder.features(state));
      List<String> models = ModelStats.deployed(new ArrayList<>(snapshot.keySet()), state);
      Map<String, Double> loss = new LinkedHashMap<>();
      for (String m : models) {
        Profile p = snapshot.get(m);
        loss.put(m, p.clusterError[k] + costWeight * p.meanCostUsd() / scale);
      }
      List<String> ranking = new ArrayList<>(models);
      ranking.sort(Comparator.comparingDouble(loss::get));
      return new RouteDecision(ranking, 1 - snapshot.get(ranking.get(0)).clusterError[k], "cluster " + k);
    });
  }

  private void requireFitted() {
    if (kmeans == null) {
      throw new IllegalStateException("uniroute: fit() must run first");
    }
  }
}
