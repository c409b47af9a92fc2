package dev.switchyard.strategies.cascade;

import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.support.AnswerSignal;
import dev.switchyard.strategies.cascade.support.CalibratedConfidence;
import dev.switchyard.strategies.cascade.support.ModelStats;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AutoMix (Madaan et al., "AutoMix: Automatically Mixing Language Models", arXiv 2310.12963): a model's
 * self-verification signal feeds a POMDP meta-verifier that decides whether to return an answer or route to
 * a larger model.
 *
 * <p>Models {@code 1..m} (at most three, from the cost-efficient chain) are run in order. The hidden state is
 * the correctness vector {@code s = (c_1..c_m) in {0,1}^m} with a Laplace-smoothed prior from train; model
 * {@code i}'s self-verification observation {@code o_i} (its calibrated confidence, binned at training
 * quantiles) has likelihood {@code P(o_i | c_i)}, also from train. After observing models {@code 1..k} the
 * belief is {@code b(s) ~ P(s) prod_{i<=k} P(o_i | c_i)}. The decision solves the finite-horizon POMDP
 * exactly: {@code V(b, k) = max( max_{i<=k} E_b[c_i],  -lambda * cost_{k+1} / costScale + sum_o P(o | b)
 * V(b', k+1) )}, returning the answer with the highest believed correctness when stopping. The cost weight
 * {@code lambda} is the trade-off.
 */
public final class AutoMix implements Strategy {
  private final int bins;
  private List<String> models = List.of();
  private CalibratedConfidence calibrated;
  private double[][] binEdges;
  private double[] prior;
  private double[][][] likelihood;
  private double[] scaledCost;

  public AutoMix() {
    this(6);
  }

  /** @param bins observation bins of each model's self-verification signal */
  public AutoMix(int bins) {
    if (bins < 2) {
      throw new IllegalArgumentException("bins must be >= 2, got " + bins);
    }
    this.bins = bins;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("automix",
        "Madaan et al., AutoMix: Automatically Mixing Language Models, arXiv 2310.12963",
        Dimensions.of(When.MULTI_STAGE, How.SUPERVISED, Signal.RESPONSE, Signal.MODEL_METADATA),
        "the few-shot self-verification call is replaced by each model's recorded confidence signal (for the "
            + "open-ended tasks the recording is itself a self-assessment call); POMDP states are the models' "
            + "joint correctness, solved exactly over at most three models");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    ModelStats stats = ModelStats.of(train);
    models = pickModels(stats);
    calibrated = CalibratedConfidence.fit(train);
    int m = models.size();
    List<RecordedQuery> qs = train.queries();
    binEdges = new double[m][];
    likelihood = new double[m][2][bins];
    scaledCost = new double[m];
    for (int i = 0; i < m; i++) {
      String id = models.get(i);
      scaledCost[i] = stats.scaledCost(id);
      double[] p = qs.stream().mapToDouble(q -> calibrated.probability(id, q)).sorted().toArray();
      binEdges[i] = new double[bins - 1];
      for (int b = 1; b < bins; b++) {
        binEdges[i][b - 1] = p[Math.min(p.length - 1, b * p.length / bins)];
      }
      double[][] counts = new double[2][bins];
      for (RecordedQuery q : qs) {
        int c = q.outcome(id).score() >= 0.5 ? 1 : 0;
        counts[c][bin(i, calibrated.probability(id, q))]++;
      }
      for (int c = 0; c < 2; c++) {
        double total = Arrays.stream(counts[c]).sum();
        for (int b = 0; b < bins; b++) {
          likelihood[i][c][b] = (counts[c][b] + 1) / (total + bins);
        }
      }
    }
    prior = new double[1 << m];
    Arrays.fill(prior, 1);
    for (RecordedQuery q : qs) {
      prior[state(q)]++;
    }
    double total = Arrays.stream(prior).sum();
    for (int s = 0; s < prior.length; s++) {
      prior[s] /= total;
    }
  }

  private int state(RecordedQuery q) {
    int s = 0;
    for (int i = 0; i < models.size(); i++) {
      if (q.outcome(models.get(i)).score() >= 0.5) {
        s |= 1 << i;
      }
    }
    return s;
  }

  /** The chain thinned to three: its cheapest model, the one nearest the geometric mean cost, its best. */
  static List<String> pickModels(ModelStats stats) {
    List<String> chain = stats.efficientChain();
    if (chain.size() <= 3) {
      return chain;
    }
    String first = chain.get(0);
    String last = chain.get(chain.size() - 1);
    double target = 0.5 * (Math.log(Math.max(1e-12, stats.cost(first))) + Math.log(Math.max(1e-12,
        stats.cost(last))));
    String middle = chain.subList(1, chain.size() - 1).stream()
        .min(java.util.Comparator.comparingDouble(x -> Math.abs(Math.log(Math.max(1e-12, stats.cost(x))) - target)))
        .orElseThrow();
    return List.of(first, middle, last);
  }

  int bin(int model, double p) {
    int b = 0;
    while (b < binEdges[model].length && p >= binEdges[model][b]) {
      b++;
    }
    return b;
  }

  public List<String> models() {
    return models;
  }

  /** Belief over correctness vectors after the given observation bins of models {@code 0..k-1}. */
  double[] belief(int[] observedBins) {
    double[] b = prior.clone();
    double total = 0;
    for (int s = 0; s < b.length; s++) {
      for (int i = 0; i < observedBins.length; i++) {
        b[s] *= likelihood[i][(s >> i) & 1][observedBins[i]];
      }
      total += b[s];
    }
    for (int s = 0; s < b.length; s++) {
      b[s] /= total;
    }
    return b;
  }

  /** {@code E_b[c_i]}, the believed probability that model {@code i} answered correctly. */
  static double believedCorrect(double[] belief, int i) {
    double p = 0;
    for (int s = 0; s < belief.length; s++) {
      if (((s >> i) & 1) == 1) {
        p += belief[s];
      }
    }
    return p;
  }

  /** Value of stopping after {@code k} models: the best believed answer. */
  private static double stopValue(double[] belief, int k) {
    double best = 0;
    for (int i = 0; i < k; i++) {
      best = Math.max(best, believedCorrect(belief, i));
    }
    return best;
  }

  /** Expected value of continuing to model {@code k} (0-based) and acting optimally afterwards. */
  double continueValue(int[] observed, double lambda) {
    int k = observed.length;
    double[] b = belief(observed);
    double value = -lambda * scaledCost[k];
    for (int o = 0; o < bins; o++) {
      double po = 0;
      for (int s = 0; s < b.length; s++) {
        po += b[s] * likelihood[k][(s >> k) & 1][o];
      }
      int[] next = Arrays.copyOf(observed, k + 1);
      next[k] = o;
      value += po * optimalValue(next, lambda);
    }
    return value;
  }

  private double optimalValue(int[] observed, double lambda) {
    double stop = stopValue(belief(observed), observed.length);
    if (observed.length == models.size()) {
      return stop;
    }
    return Math.max(stop, continueValue(observed, lambda));
  }

  @Override
  public double[] tradeoffs() {
    return ModelStats.costWeightGrid();
  }

  @Override
  public Planner planner(double lambda) {
    if (calibrated == null) {
      throw new IllegalStateException("automix: fit() must run first");
    }
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
    }
    return state -> next(state, lambda);
  }

  private PlanAction next(PlanState state, double lambda) {
    List<Decision> trace = new ArrayList<>();
    List<Attempt> attempts = state.attempts();
    int k = attempts.size();
    if (k == 0) {
      trace.add(Decision.of(Stage.PRE_ROUTE, models.get(0), "automix: small model first", Double.NaN));
      return PlanAction.Route.to(models.get(0), trace);
    }
    // Attempts follow the model order; a failed call carries no observation, so it is skipped over.
    int[] observed = new int[k];
    List<Response> answers = new ArrayList<>();
    List<Integer> answerIndex = new ArrayList<>();
    for (int i = 0; i < k && i < models.size(); i++) {
      Attempt a = attempts.get(i);
      if (a.succeeded()) {
        observed[i] = bin(i, calibrated.probability(AnswerSignal.of(a.response())));
        answers.add(a.response());
        answerIndex.add(i);
      } else {
        observed[i] = bins / 2;
      }
    }
    double[] b = belief(observed);
    for (int i : answerIndex) {
      trace.add(Decision.of(Stage.VERIFY, models.get(i), "belief correct", believedCorrect(b, i)));
    }
    boolean canContinue = k < models.size() && !state.budgetExhausted();
    if (canContinue && (answers.isEmpty() || continueValue(observed, lambda) > stopValue(b, k))) {
      trace.add(Decision.of(Stage.ESCALATE, models.get(k), "route: value of continuing", Double.NaN));
      return PlanAction.Route.to(models.get(k), trace);
    }
    if (answers.isEmpty()) {
      trace.add(Decision.of(Stage.ABSTAIN, null, "every model failed", Double.NaN));
      return new PlanAction.Abstain("every model failed", trace);
    }
    int best = answerIndex.get(0);
    for (int i : answerIndex) {
      if (believedCorrect(b, i) > believedCorrect(b, best)) {
        best = i;
      }
    }
    Response chosen = attempts.get(best).response();
    trace.add(Decision.of(Stage.ANSWER, chosen.modelId(), "accept: best belief", believedCorrect(b, best)));
    return new PlanAction.Answer(chosen.text(), chosen.modelId(), trace);
  }
}
