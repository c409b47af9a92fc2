package dev.switchyard.strategies.cascade.support;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.PlanState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-model training means (quality, cost) and the cost scale every cost-weighted objective here uses:
 * {@code utility = quality - lambda * cost / costScale}, with {@code costScale} the largest mean cost of any
 * model, so that {@code lambda = 1} trades the whole quality range against the most expensive model's cost.
 */
public final class ModelStats {
  private final List<String> models;
  private final Map<String, Double> quality = new HashMap<>();
  private final Map<String, Double> cost = new HashMap<>();
  private final double costScale;

  private ModelStats(List<String> models, Map<String, Double> quality, Map<String, Double> cost) {
    this.models = List.copyOf(models);
    this.quality.putAll(quality);
    this.cost.putAll(cost);
    double max = cost.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    this.costScale = max > 0 ? max : 1;
  }

  public static ModelStats of(RecordedDataset train) {
    Map<String, Double> q = new HashMap<>();
    Map<String, Double> c = new HashMap<>();
    for (String m : train.models()) {
      q.put(m, train.meanScore(m));
      c.put(m, train.meanCost(m));
    }
    return new ModelStats(train.models(), q, c);
  }

  /** The same statistics with one more model (its cost and quality measured elsewhere). */
  public ModelStats with(String model, double meanQuality, double meanCost) {
    List<String> ms = new ArrayList<>(models);
    if (!ms.contains(model)) {
      ms.add(model);
    }
    Map<String, Double> q = new HashMap<>(quality);
    Map<String, Double> c = new HashMap<>(cost);
    q.put(model, meanQuality);
    c.put(model, meanCost);
    return new ModelStats(ms, q, c);
  }

  public List<String> models() {
    return models;
  }

  public double quality(String model) {
    return quality.getOrDefault(model, 0.0);
  }

  public double cost(String model) {
    return cost.getOrDefault(model, costScale);
  }

  /** Mean cost over the cost scale, about [0, 1]. */
  public double scaledCost(String model) {
    return cost(model) / costScale;
  }

  public double costScale() {
    return costScale;
  }

  /** Models sorted by mean cost, each kept only if it beats every cheaper kept model on quality. */
  public List<String> efficientChain() {
    List<String> byCost = new ArrayList<>(models);
    byCost.sort(Comparator.comparingDouble(this::cost).thenComparing(Comparator.naturalOrder()));
    List<String> kept = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (String m : byCost) {
      if (quality(m) > best) {
        kept.add(m);
        best = quality(m);
      }
    }
    return kept;
  }

  /** Highest training quality, ties to the cheaper. */
  public String best() {
    return models.stream().max(Comparator.comparingDouble(this::quality)
        .thenComparing(Comparator.comparingDouble(this::cost).reversed())).orElseThrow();
  }

  /**
   * The models a plan may use: those of the deployment (the state's cards) that this strategy knows, in the
   * given order. When the state lists no cards, every known model is allowed.
   */
  public static List<String> deployed(List<String> ranking, PlanState state) {
    if (state.models().isEmpty()) {
      return ranking;
    }
    List<String> out = ranking.stream().filter(m -> state.card(m).isPresent()).toList();
    return out.isEmpty() ? ranking : out;
  }

  /** The cost-weight grid shared by the cost-weighted strategies, in increasing cost weight. */
  public static double[] costWeightGrid() {
    return new double[] {0, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.45, 0.65, 1, 1.5, 2.5, 5};
  }
}
