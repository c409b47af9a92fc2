package dev.switchyard.strategies.cascade;

import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.support.AnswerSignal;
import dev.switchyard.strategies.cascade.support.CalibratedConfidence;
import dev.switchyard.strategies.cascade.support.ModelStats;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cascade routing (Dekoninck, Baader &amp; Vechev, "A Unified Approach to Routing and Cascading for LLMs",
 * arXiv 2410.10347): at every step, pick the next model by the expected gain in answer quality it buys per
 * unit of cost, from quality estimates that are updated as answers come in; models may be skipped or called
 * in any order, and the first step is plain routing.
 *
 * <p>Estimates: ex-ante {@code qhat_m(x) = sigmoid(u_m . phi(x))} from query features; ex-post, once
 * {@code m} answered, {@code p_m = sigmoid(v_m . [logit qhat_m(x), answer signals])}; for a model {@code j}
 * not yet run, after model {@code i} answered, {@code q_j = sigmoid(logit qhat_j(x) + a_ij + b_ij r_i)} with
 * {@code r_i = logit p_i - logit qhat_i(x)} (the surprise in {@code i}'s answer). With {@code Q = max_{i run}
 * p_i} the quality of the best answer in hand, running {@code j} is worth {@code G_j = E[(P_j - Q)^+]}, where
 * the ex-post estimate {@code P_j} is {@code q_j} shifted by the training distribution of ex-post surprises of
 * {@code j}. The planner runs {@code argmax_j G_j - lambda c_j / costScale} while that is positive (its gain per
 * unit cost exceeds {@code lambda}), then answers with the run model of highest {@code p}. The cost weight
 * {@code lambda} is the trade-off.
 */
public final class CascadeRouting implements Strategy {
  private static final double L2 = 1.0;
  private static final int SURPRISE_QUANTILES = 32;
  private List<String> models = List.of();
  private ModelStats stats;
  private QueryEncoder encoder;
  private CalibratedConfidence calibrated;
  private final Map<String, LogisticRegression> exAnte = new LinkedHashMap<>();
  private final Map<String, LogisticRegression> exPost = new LinkedHashMap<>();
  private final Map<String, LogisticRegression> update = new LinkedHashMap<>();
  private final Map<String, double[]> surprises = new LinkedHashMap<>();

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("cascade-routing",
        "Dekoninck, Baader & Vechev, A Unified Approach to Routing and Cascading for LLMs, arXiv 2410.10347",
        Dimensions.of(When.MULTI_STAGE, How.SUPERVISED, Signal.QUERY, Signal.RESPONSE, Signal.MODEL_METADATA),
        "quality estimators are logistic models over query cues, task hint and answer confidence; one-step "
            + "lookahead over single models instead of a search over supermodels; estimates of unrun models are "
            + "updated from the latest answer's surprise only");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    models = train.models();
    stats = ModelStats.of(train);
    encoder = QueryEncoder.withoutNgrams(train);
    calibrated = CalibratedConfidence.fit(train);
    List<RecordedQuery> qs = train.queries();
    int n = qs.size();
    double[][] phi = qs.stream().map(encoder::features).toArray(double[][]::new);
    Map<String, double[]> anteLogit = new LinkedHashMap<>();
    Map<String, double[]> surprise = new LinkedHashMap<>();
    exAnte.clear();
    exPost.clear();
    update.clear();
    surprises.clear();
    for (String m : models) {
      double[] y = qs.stream().mapToDouble(q -> q.outcome(m).score()).toArray();
      LogisticRegression ante = LogisticRegression.fitAddingIntercept(phi, y, L2);
      exAnte.put(m, ante);
      double[] al = Arrays.stream(phi).mapToDouble(ante::logit).toArray();
      anteLogit.put(m, al);
      double[][] post = new double[n][];
      for (int i = 0; i < n; i++) {
        post[i] = postFeatures(al[i], AnswerSignal.of(m, qs.get(i).outcome(m)));
      }
      LogisticRegression p = LogisticRegression.fitAddingIntercept(post, y, L2);
      exPost.put(m, p);
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        r[i] = p.logit(post[i]) - al[i];
      }
      surprise.put(m, r);
      double[] sorted = r.clone();
      Arrays.sort(sorted);
      double[] quantiles = new double[SURPRISE_QUANTILES];
      for (int k = 0; k < quantiles.length; k++) {
        quantiles[k] = sorted[(int) ((k + 0.5) * n / quantiles.length)];
      }
      surprises.put(m, quantiles);
    }
    for (String i : models) {
      for (String j : models) {
        if (i.equals(j)) {
          continue;
        }
        double[][] x = Arrays.stream(surprise.get(i)).mapToObj(v -> new double[] {v}).toArray(double[][]::new);
        double[] y = qs.stream().mapToDouble(q -> q.outcome(j).score()).toArray();
        update.put(i + '\u0000' + j, LogisticRegression.fitAddingIntercept(x, y, anteLogit.get(j), L2));
      }
    }
  }

  /** Ex-post features: the ex-ante logit, calibrated confidence log-odds, per-token signal, answer shape. */
  private double[] postFeatures(double anteLogit, AnswerSignal a) {
    double[] shape = a.answerFeatures();
    double[] v = new double[4 + shape.length];
    v[0] = anteLogit;
    v[1] = LogisticRegression.logOdds(calibrated.probability(a));
    v[2] = a.perTokenConfidence();
    v[3] = a.confidence() == null ? 0 : 1;
    System.arraycopy(shape, 0, v, 4, shape.length);
    return v;
  }

  /** Ex-post estimate that a run model's answer is right. */
  public double expost(PlanState state, Response r) {
    double[] phi = encoder.features(state);
    LogisticRegression ante = exAnte.get(r.modelId());
    LogisticRegression post = exPost.get(r.modelId());
    if (ante == null || post == null) {
      return 0.5;
    }
    return post.probability(postFeatures(ante.logit(phi), AnswerSignal.of(r)));
  }

  /** Net value {@code G_j - lambda c_j} of every model not yet tried, in model order. */
  public Map<String, Double> netValues(PlanState state, double lambda) {
    requireFitted();
    double[] phi = encoder.features(state);
    double best = 0;
    Response latest = null;
    for (Response r : state.responses()) {
      if (exPost.containsKey(r.modelId())) {
        best = Math.max(best, expost(state, r));
        latest = r;
      }
    }
    double latestSurprise = 0;
    if (latest != null) {
      latestSurprise = LogisticRegression.logOdds(expost(state, latest)) - exAnte.get(latest.modelId()).logit(phi);
    }
    Map<String, Double> values = new LinkedHashMap<>();
    for (String j : ModelStats.deployed(models, state)) {
      if (state.tried(j)) {
        continue;
      }
      double logit = exAnte.get(j).logit(phi);
      if (latest != null) {
        logit = update.get(latest.modelId() + '\u0000' + j).logit(new double[] {latestSurprise}) + logit;
      }
      double gain = 0;
      for (double s : surprises.get(j)) {
        gain += Math.max(0, LogisticRegression.sigmoid(logit + s) - best);
      }
      gain /= SURPRISE_QUANTILES;
      values.put(j, gain - lambda * stats.scaledCost(j));
    }
    return values;
  }

  /** The next model to run, or empty to stop and answer. The first call always routes. */
  public Optional<String> nextModel(PlanState state, double lambda) {
    Map<String, Double> values = netValues(state, lambda);
    Optional<Map.Entry<String, Double>> top = values.entrySet().stream().max(Map.Entry.comparingByValue());
    if (top.isEmpty()) {
      return Optional.empty();
    }
    if (state.responses().isEmpty() || top.get().getValue() > 0) {
      return Optional.of(top.get().getKey());
    }
    return Optional.empty();
  }

  @Override
  public double[] tradeoffs() {
    return ModelStats.costWeightGrid();
  }

  @Override
  public Planner planner(double lambda) {
    requireFitted();
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
    }
    return state -> {
      List<Decision> trace = new ArrayList<>();
      Optional<String> next = state.budgetExhausted() ? Optional.empty() : nextModel(state, lambda);
      if (next.isPresent()) {
        Stage stage = state.attempts().isEmpty() ? Stage.PRE_ROUTE : Stage.ESCALATE;
        trace.add(Decision.of(stage, next.get(), "gain per cost above lambda", Double.NaN));
        return PlanAction.Route.to(next.get(), trace);
      }
      Response best = null;
      double bestP = -1;
      for (Attempt a : state.attempts()) {
        if (a.succeeded()) {
          double p = expost(state, a.response());
          trace.add(Decision.of(Stage.VERIFY, a.modelId(), "ex-post quality", p));
          if (p > bestP) {
            bestP = p;
            best = a.response();
          }
        }
      }
      if (best == null) {
        trace.add(Decision.of(Stage.ABSTAIN, null, "no answer", Double.NaN));
        return new PlanAction.Abstain("no model answered", trace);
      }
      trace.add(Decision.of(Stage.ANSWER, best.modelId(), "highest ex-post quality", bestP));
      return new PlanAction.Answer(best.text(), best.modelId(), trace);
    };
  }

  private void requireFitted() {
    if (stats == null) {
      throw new IllegalStateException("cascade-routing: fit() must run first");
    }
  }
}
