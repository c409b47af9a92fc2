package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.Objective;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Shared shape of the multi-model routers: a learned estimate {@code q_m(x)} of each model's quality on the
 * query, and the choice {@code argmax_m q_m(x) - lambda * c_m(task) / C - w_l * latency_m - w_e * energy_m},
 * where {@code lambda} is the swept trade-off (cost weight), {@code C} the largest mean cost per query on the
 * training split (so lambda = 1 means "the most expensive model's cost is worth one unit of quality"), and
 * {@code w_l, w_e} come from {@link StrategyContext#objective()}. The ranking by utility is the spill-over order
 * when a pool refuses. Estimates are memoised per query text and task.
 */
public abstract class UtilityRouter implements Strategy {
  /** Cost weights swept for the frontier, increasing (0 = quality only). */
  static final double[] COST_WEIGHTS = {0, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1, 1.5, 2,
      3, 5, 10, 30};
  private final int hashDimension;
  private final EstimateCache<double[]> cache = new EstimateCache<>(50_000);
  protected TrainingSet training;
  protected QueryEncoder encoder;
  protected CostModel costs;
  protected TaskPrior taskPrior;
  private Objective objective = Objective.qualityOnly();

  protected UtilityRouter(int hashDimension) {
    if (hashDimension < 2) {
      throw new IllegalArgumentException("hash dimension must be >= 2, got " + hashDimension);
    }
    this.hashDimension = hashDimension;
  }

  @Override
  public final void fit(RecordedDataset train, StrategyContext context) {
    if (train.size() == 0) {
      throw new IllegalArgumentException(info().name() + ": empty training split");
    }
    EncodedTraining encoded = EncodedTraining.of(train, hashDimension);
    encoder = encoded.encoder();
    training = encoded.set();
    costs = CostModel.fit(train);
    taskPrior = TaskPrior.fit(training, encoder.tasks());
    objective = context.objective();
    cache.clear();
    fitEstimator(train, training, context);
  }

  /** Learns the quality estimator from the encoded training split. */
  protected abstract void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context);

  /** Estimated quality in [0, 1] of every training model (in {@link TrainingSet#models()} order). */
  protected abstract double[] estimateQuality(QueryEncoder.Encoded query);

  /** The memoised estimates for a query. */
  public final double[] qualityEstimates(Query query) {
    requireFitted();
    String task = query.task();
    return cache.get(query.text(), task, k -> estimateQuality(encoder.encode(query.text(), task)));
  }

  public final double[] qualityEstimates(String text, String task) {
    requireFitted();
    return cache.get(text, task, k -> estimateQuality(encoder.encode(text, task)));
  }

  public List<String> models() {
    requireFitted();
    return training.models();
  }

  @Override
  public double[] tradeoffs() {
    return COST_WEIGHTS.clone();
  }

  @Override
  public Planner planner(double costWeight) {
    requireFitted();
    checkCostWeight(costWeight);
    return ThreeStagePipeline.routeOnly(state -> route(state, costWeight));
  }

  /** Ranks the state's models (those seen in training) by utility at this cost weight. */
  public RouteDecision route(PlanState state, double costWeight) {
    double[] quality = qualityEstimates(state.query());
    List<Scored> scored = new ArrayList<>();
    for (ModelCard card : state.models()) {
      int m = training.models().indexOf(card.id());
      if (m >= 0) {
        scored.add(new Scored(card.id(), quality[m], utility(card, quality[m], state.query().task(), costWeight)));
      }
    }
    if (scored.isEmpty()) {
      throw new IllegalStateException(info().name() + ": none of the offered models " + state.models().stream()
          .map(ModelCard::id).toList() + " was seen in training " + training.models());
    }
    scored.sort(Comparator.comparingDouble(Scored::utility).reversed());
    Scored top = scored.get(0);
    return new RouteDecision(scored.stream().map(Scored::model).toList(), top.quality(),
        info().name() + String.format(" q=%.3f u=%.3f", top.quality(), top.utility()));
  }

  /** Utility of one model for a query with estimated quality {@code quality}. */
  protected double utility(ModelCard card, double quality, String task, double costWeight) {
    String m = card.id();
    double latency = card.meanLatencyMs() > 0 ? card.meanLatencyMs() : costs.latencyMs(m);
    return utility(quality, costs.expectedCost(m, task), latency, costs.energyJoules(m), costWeight);
  }

  /** {@code quality - costWeight * cost / C - w_l * latency - w_e * energy} with the context's objective. */
  protected final double utility(double quality, double costUsd, double latencyMs, double energyJoules,
      double costWeight) {
    return objective.withCostWeight(costWeight / costs.scale()).utility(quality, costUsd, latencyMs, energyJoules);
  }

  protected final void requireFitted() {
    if (training == null) {
      throw new IllegalStateException(info().name() + ": fit() must run before routing");
    }
  }

  static void checkCostWeight(double costWeight) {
    if (!(costWeight >= 0) || Double.isInfinite(costWeight)) {
      throw new IllegalArgumentException("cost weight must be a finite number >= 0, got " + costWeight);
    }
  }

  private record Scored(String model, double quality, double utility) {}
}
