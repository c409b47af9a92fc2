package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearnerBase;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * MixLLM (Wang et al., "MixLLM: Dynamic Routing in Mixed Large Language Models", NAACL 2025): a contextual
 * router with, per model, a quality predictor and a cost predictor on query features, a meta decision under
 * latency and cost constraints, and continual online training.
 *
 * <p>Predictors: {@code q_m(x) = sigmoid(w_m . x)} trained by online logistic-regression steps
 * {@code w_m += eta (s - q_m(x)) x}; {@code c_m(x) = v_m . x} (cost in units of costScale) trained by LMS steps
 * {@code v_m += eta (c - c_m(x)) x}. Decision: among models whose card latency is at most {@code maxLatencyMs}
 * and whose predicted cost is at most {@code maxCostUsd}, sample from {@code pi = softmax((q_m - lambda c_m +
 * beta_m) / tau)} with a generator seeded by the query id. The per-model preference {@code beta} is trained by
 * REINFORCE with a running baseline: {@code beta_m += eta_pg (r - baseline) (1[m = a] - pi_m)}.
 */
public final class MixLlmRouter extends OnlineLearnerBase {
  private final ContextFeaturizer featurizer;
  private final RewardModel reward;
  private final double eta;
  private final double etaPolicy;
  private final double temperature;
  private final double maxLatencyMs;
  private final double maxCostUsd;
  private final long seed;
  private final Map<String, double[]> quality = new TreeMap<>();
  private final Map<String, double[]> cost = new TreeMap<>();
  private final Map<String, double[]> preference = new TreeMap<>();
  private double baseline;

  /**
   * @param maxLatencyMs models whose card latency exceeds it are not routed to; 0 = no limit
   * @param maxCostUsd models whose predicted cost exceeds it are not routed to; 0 = no limit
   */
  public MixLlmRouter(String name, ContextFeaturizer featurizer, RewardModel reward, double eta, double etaPolicy,
      double temperature, double maxLatencyMs, double maxCostUsd, long seed) {
    super(name);
    if (!(eta > 0) || !(etaPolicy >= 0) || !(temperature > 0) || maxLatencyMs < 0 || maxCostUsd < 0) {
      throw new IllegalArgumentException("MixLLM needs eta > 0, etaPolicy >= 0, temperature > 0 and limits >= 0;"
          + " got eta=" + eta + " etaPolicy=" + etaPolicy + " temperature=" + temperature + " maxLatencyMs="
          + maxLatencyMs + " maxCostUsd=" + maxCostUsd);
    }
    this.featurizer = featurizer;
    this.reward = reward;
    this.eta = eta;
    this.etaPolicy = etaPolicy;
    this.temperature = temperature;
    this.maxLatencyMs = maxLatencyMs;
    this.maxCostUsd = maxCostUsd;
    this.seed = seed;
  }

  public static MixLlmRouter standard(RewardModel reward, long seed) {
    return new MixLlmRouter("mixllm", ContextFeaturizer.standard(), reward, 0.1, 0.05, 0.05, 0, 0, seed);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), "Wang et al., MixLLM: Dynamic Routing in Mixed Large Language Models, NAACL 2025",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.QUERY, Signal.MODEL_METADATA, Signal.FEEDBACK),
        "features are lexical cues + hashed n-grams + task instead of tag-enhanced BERT embeddings; predictors"
            + " are linear/logistic trained online; the policy-gradient part is a per-model preference term");
  }

  @Override
  public Planner planner() {
    return ThreeStagePipeline.routeOnly(state -> {
      double[] x = featurizer.features(state.query().text(), state.query().task());
      Random rnd = Seeds.forQuery(seed, state.query().id());
      synchronized (this) {
        List<String> allowed = allowed(state, x);
        double[] pi = policy(allowed, x, state);
        double u = rnd.nextDouble();
        int pick = pi.length - 1;
        double acc = 0;
        for (int i = 0; i < pi.length; i++) {
          acc += pi[i];
          if (u < acc) {
            pick = i;
            break;
          }
        }
        List<String> ranking = new ArrayList<>();
        ranking.add(allowed.get(pick));
        RouteDecision byUtility = Arms.rank(allowed, m -> utility(m, x, state), "mixllm");
        byUtility.ranking().stream().filter(m -> !m.equals(ranking.get(0))).forEach(ranking::add);
        return new RouteDecision(ranking, pi[pick], "mixllm pi");
      }
    });
  }

  private List<String> allowed(PlanState state, double[] x) {
    List<String> arms = Arms.available(state);
    List<String> ok = arms.stream().filter(m -> {
      ModelCard card = state.card(m).orElse(null);
      boolean latencyOk = maxLatencyMs <= 0 || card == null || card.meanLatencyMs() <= maxLatencyMs;
      boolean costOk = maxCostUsd <= 0 || predictedCost(m, x, state) * reward.costScale() <= maxCostUsd;
      return latencyOk && costOk;
    }).toList();
    if (!ok.isEmpty()) {
      return ok;
    }
    // Nothing meets the constraints: the cheapest predicted model is the least violation.
    String cheapest = arms.stream().min((a, b) -> Double.compare(predictedCost(a, x, state),
        predictedCost(b, x, state))).orElseThrow();
    return List.of(cheapest);
  }

  private double[] policy(List<String> arms, double[] x, PlanState state) {
    double[] logits = new double[arms.size()];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < logits.length; i++) {
      logits[i] = utility(arms.get(i), x, state) / temperature;
      max = Math.max(max, logits[i]);
    }
    double z = 0;
    for (int i = 0; i < logits.length; i++) {
      logits[i] = Math.exp(logits[i] - max);
      z += logits[i];
    }
    for (int i = 0; i < logits.length; i++) {
      logits[i] /= z;
    }
    return logits;
  }

  private double utility(String m, double[] x, PlanState state) {
    return predictedQuality(m, x) - reward.costWeight() * predictedCost(m, x, state) + pref(m);
  }

  private double pref(String m) {
    double[] b = preference.get(m);
    return b == null ? 0 : b[0];
  }

  double predictedQuality(String m, double[] x) {
    double[] w = quality.get(m);
    return w == null ? 0.5 : sigmoid(dot(w, x));
  }

  /** Predicted cost in units of costScale; the card's mean cost before the model is observed. */
  double predictedCost(String m, double[] x, PlanState state) {
    double[] v = cost.get(m);
    if (v == null) {
      return state == null ? 0 : state.card(m).map(c -> c.descriptor("mean_cost_usd", 0)).orElse(0.0)
          / reward.costScale();
    }
    return Math.max(0, dot(v, x));
  }

  @Override
  protected boolean update(Episode episode) {
    double r = reward.of(episode);
    String a = episode.answerModel();
    if (Double.isNaN(r) || a == null) {
      return false;
    }
    double[] x = featurizer.features(episode.queryText(), episode.task());
    List<String> arms = new ArrayList<>(quality.keySet());
    if (!arms.contains(a)) {
      arms.add(a);
    }
    double[] pi = policy(arms, x, null);
    double q = predictedQuality(a, x);
    double[] w = quality.computeIfAbsent(a, k -> new double[x.length]);
    double[] v = cost.computeIfAbsent(a, k -> new double[x.length]);
    double c = episode.costUsd() / reward.costScale();
    double cHat = dot(v, x);
    for (int i = 0; i < x.length; i++) {
      w[i] += eta * (episode.score() - q) * x[i];
      v[i] += eta * (c - cHat) * x[i];
    }
    double advantage = r - baseline;
    for (int i = 0; i < arms.size(); i++) {
      double[] b = preference.computeIfAbsent(arms.get(i), k -> new double[1]);
      b[0] += etaPolicy * advantage * ((arms.get(i).equals(a) ? 1 : 0) - pi[i]);
    }
    baseline += 0.05 * (r - baseline);
    return true;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  @Override
  protected void writeParameters(Map<String, double[]> p) {
    quality.forEach((m, w) -> p.put(Arms.key(m, "quality"), w.clone()));
    cost.forEach((m, v) -> p.put(Arms.key(m, "cost"), v.clone()));
    preference.forEach((m, b) -> p.put(Arms.key(m, "preference"), b.clone()));
    p.put("baseline", new double[] {baseline});
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    quality.clear();
    cost.clear();
    preference.clear();
    for (String m : Arms.armsIn(snapshot)) {
      var params = snapshot.parameters();
      if (params.containsKey(Arms.key(m, "quality"))) {
        quality.put(m, params.get(Arms.key(m, "quality")).clone());
        cost.put(m, snapshot.parameter(Arms.key(m, "cost")).clone());
      }
      if (params.containsKey(Arms.key(m, "preference"))) {
        preference.put(m, params.get(Arms.key(m, "preference")).clone());
      }
    }
    baseline = Arms.scalar(snapshot.parameters(), "baseline");
  }
}
