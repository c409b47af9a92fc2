package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BEST-Route (Ding et al., "BEST-Route: Adaptive LLM Routing with Test-Time Optimal Compute", arXiv 2506.22716):
 * a difficulty-aware router whose options are not only single models but best-of-n sampling from small models,
 * choosing per query the cheapest option expected to be good enough. The recorded data holds one answer per model
 * and query, so best-of-n is adapted as best-of-n over n distinct cheap models: an option is either one model, or
 * the n best cheap models (mean cost at most {@link #CHEAP_COST_RATIO} of the most expensive model's, ranked by
 * training quality, n = 3..{@link #MAX_N}) whose answers are combined by a weighted vote (weights: each model's
 * training quality on the query's task; exactly {@link Aggregation#weightedVote}).
 *
 * <p>For each option o a logistic regression on the query's features predicts {@code P(o correct | x)} (for an
 * ensemble, the label is the recorded score of its vote's winner on the training query): this is the per-query
 * difficulty estimate ({@link #difficulty} reports {@code 1 - mean_m P(m correct)}). The choice is cost-aware,
 * {@code argmax_o P(o) - lambda sum_{m in o} c_m / C - w_l sum latency - w_e sum energy}. An ensemble is executed as
 * a pipeline: route its members one after another (several Route actions), then aggregate.
 */
public final class BestRouteRouter extends UtilityRouter {
  public static final double CHEAP_COST_RATIO = 0.25;
  public static final int MAX_N = 5;
  private static final String ENSEMBLE = "best-of-";
  private final double l2;
  private final List<List<Integer>> options = new ArrayList<>();
  private final List<LogisticRegression> predictors = new ArrayList<>();
  private final EstimateCache<double[]> voteWeights = new EstimateCache<>(50_000);

  public BestRouteRouter() {
    // one regression per option (up to 12 on nine models): a smaller hash keeps the whole fit to a few seconds
    this(64, 1.0);
  }

  public BestRouteRouter(int hashDimension, double l2) {
    super(hashDimension);
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("l2 must be > 0, got " + l2);
    }
    this.l2 = l2;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("best-route",
        "Ding et al., BEST-Route: Adaptive LLM Routing with Test-Time Optimal Compute, arXiv 2506.22716",
        Dimensions.of(When.MULTI_STAGE, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA, Signal.RESPONSE),
        "best-of-n over n distinct cheap models with a quality-weighted vote (one recorded answer per model, so "
            + "no repeated sampling of one model and no reward-model selection); per-option success predicted by "
            + "logistic regressions on hashed n-grams, lexical cues and the task one-hot");
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    options.clear();
    predictors.clear();
    voteWeights.clear();
    int models = set.models().size();
    for (int m = 0; m < models; m++) {
      options.add(List.of(m));
    }
    List<Integer> cheap = new ArrayList<>();
    for (int m = 0; m < models; m++) {
      if (costs.meanCost(set.models().get(m)) <= CHEAP_COST_RATIO * costs.scale()) {
        cheap.add(m);
      }
    }
    cheap.sort(Comparator.comparingDouble((Integer m) -> -set.meanScore(m))
        .thenComparingDouble(m -> costs.meanCost(set.models().get(m))));
    for (int n = 3; n <= Math.min(MAX_N, cheap.size()); n++) {
      options.add(List.copyOf(cheap.subList(0, n)));
    }
    double[][] x = set.featureMatrix();
    for (List<Integer> option : options) {
      double[] y = new double[set.size()];
      for (int i = 0; i < y.length; i++) {
        y[i] = option.size() == 1 ? set.scores()[i][option.get(0)]
            : voteScore(train, i, option, taskPrior.of(set.queries().get(i).taskWeights()));
      }
      predictors.add(LogisticRegression.fit(x, y, l2));
    }
  }

  /** The recorded score of the weighted vote's winner among {@code members} on training query {@code row}. */
  private double voteScore(RecordedDataset train, int row, List<Integer> members, double[] weights) {
    Map<String, Double> totals = new LinkedHashMap<>();
    Map<String, Integer> champion = new LinkedHashMap<>();
    for (int m : members) {
      String key = Aggregation.normalise(train.queries().get(row).outcome(training.models().get(m)).answer());
      totals.merge(key, weights[m], Double::sum);
      champion.merge(key, m, (old, cur) -> weights[cur] > weights[old] ? cur : old);
    }
    String best = null;
    for (var e : totals.entrySet()) {
      if (best == null || e.getValue() > totals.get(best)) {
        best = e.getKey();
      }
    }
    return training.scores()[row][champion.get(best)];
  }

  /** The options, each a list of model ids (a single model or a best-of-n ensemble). */
  public List<List<String>> options() {
    requireFitted();
    return options.stream().map(o -> o.stream().map(training.models()::get).toList()).toList();
  }

  /** Predicted success probability of every option, in {@link #options()} order. */
  public double[] optionSuccess(String text, String task) {
    return qualityEstimates(text, task).clone();
  }

  /** {@code 1 - mean_m P(m correct | x)}: the predicted difficulty of the query. */
  public double difficulty(String text, String task) {
    double[] p = qualityEstimates(text, task);
    double s = 0;
    int models = training.models().size();
    for (int m = 0; m < models; m++) {
      s += p[m];
    }
    return 1 - s / models;
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    double[] p = new double[options.size()];
    for (int o = 0; o < p.length; o++) {
      p[o] = predictors.get(o).probability(query.features());
    }
    return p;
  }

  @Override
  public Planner planner(double costWeight) {
    requireFitted();
    checkCostWeight(costWeight);
    return new ThreeStagePipeline(
        state -> route(state, costWeight),
        this::voteWeight,
        (state, confidence, route) -> {
          if (!route.reason().startsWith(ENSEMBLE)) {
            return Escalation.accept();
          }
          return route.ranking().stream().filter(m -> !state.tried(m)).findFirst()
              .<Escalation>map(Escalation.EscalateTo::new)
              .orElse(new Escalation.Aggregate());
        });
  }

  /** The vote weight of a response: its model's training quality on the query's task. */
  private double voteWeight(PlanState state, Response response) {
    int m = training.models().indexOf(response.modelId());
    if (m < 0) {
      return 0;
    }
    String text = state.query().text();
    String task = state.query().task();
    return voteWeights.get(text, task, k -> taskPrior.of(encoder.taskWeights(encoder.tfidf(text), task)))[m];
  }

  @Override
  public RouteDecision route(PlanState state, double costWeight) {
    double[] p = qualityEstimates(state.query());
    String task = state.query().task();
    List<String> offered = state.models().stream().map(ModelCard::id).toList();
    int best = -1;
    double bestUtility = Double.NEGATIVE_INFINITY;
    double[] singleUtility = new double[training.models().size()];
    java.util.Arrays.fill(singleUtility, Double.NEGATIVE_INFINITY);
    for (int o = 0; o < options.size(); o++) {
      List<Integer> members = options.get(o);
      if (!members.stream().allMatch(m -> offered.contains(training.models().get(m)))) {
        continue;
      }
      double cost = 0;
      double latency = 0;
      double energy = 0;
      for (int m : members) {
        String id = training.models().get(m);
        ModelCard card = state.card(id).orElseThrow();
        cost += costs.expectedCost(id, task);
        latency += card.meanLatencyMs() > 0 ? card.meanLatencyMs() : costs.latencyMs(id);
        energy += costs.energyJoules(id);
      }
      double u = utility(p[o], cost, latency, energy, costWeight);
      if (members.size() == 1) {
        singleUtility[members.get(0)] = u;
      }
      if (u > bestUtility) {
        best = o;
        bestUtility = u;
      }
    }
    if (best < 0) {
      throw new IllegalStateException("best-route: none of the offered models " + offered + " was seen in training "
          + training.models());
    }
    List<Integer> chosen = options.get(best);
    if (chosen.size() > 1) {
      return new RouteDecision(chosen.stream().map(training.models()::get).toList(), p[best],
          ENSEMBLE + chosen.size() + String.format(" p=%.3f", p[best]));
    }
    List<Integer> singles = new ArrayList<>();
    for (int m = 0; m < singleUtility.length; m++) {
      if (singleUtility[m] > Double.NEGATIVE_INFINITY) {
        singles.add(m);
      }
    }
    singles.sort(Comparator.comparingDouble((Integer m) -> -singleUtility[m]));
    return new RouteDecision(singles.stream().map(training.models()::get).toList(), p[best],
        String.format("best-route single p=%.3f", p[best]));
  }
}
