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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AutoMix (Madaan et al., "AutoMix: Automatically Mixing Language Models", arXiv 2310.12963): a model's
 * self-verification signal feeds a POMDP meta-verifier that decides whether to return an answer or route to
 * a larger model.
 *
 * <p>Models {@code 1..m} (at most three, in increasing cost) are run in order. The hidden state is the
 * correctness vector {@code s = (c_1..c_m) in {0,1}^m} with a Laplace-smoothed prior from train; model
 * {@code i}'s self-verification observation {@code o_i} (its calibrated confidence, binned at training
 * quantiles) has likelihood {@code P(o_i | c_i)}, also from train. After observing models {@code 1..k} the
 * belief is {@code b(s) ~ P(s) prod_{i<=k} P(o_i | c_i)}. The decision solves the finite-horizon POMDP
 * exactly: {@code V(b, k) = max( max_{i<=k} E_b[c_i],  -lambda * cost_{k+1} / costScale + sum_o P(o | b)
 * V(b', k+1) )}, returning the answer with the highest believed correctness when stopping. Because
 * observations are binned, the policy is a finite table over observation prefixes. Which models to mix is
 * chosen on train: for each {@code lambda}, the subset (up to three models of the cost-efficient chain) whose
 * POMDP policy has the highest training utility {@code quality - lambda * cost / costScale}. The cost weight
 * {@code lambda} is the trade-off.
 */
public final class AutoMix implements Strategy {
  private final int bins;
  private final int maxModels;
  private List<String> chain = List.of();
  private CalibratedConfidence calibrated;
  private double[][] binEdges;
  private double[][][] likelihood;
  private double[] scaledMeanCost;
  // Training observations per chain model: bin, correctness, scaled cost per query.
  private int[][] trainBin;
  private boolean[][] trainCorrect;
  private double[][] trainCost;
  private final Map<Double, Pomdp> byLambda = new ConcurrentHashMap<>();

  public AutoMix() {
    this(6, 3);
  }

  /**
   * @param bins observation bins of each model's self-verification signal
   * @param maxModels the largest number of models mixed (1 to 3; the POMDP is solved exactly)
   */
  public AutoMix(int bins, int maxModels) {
    if (bins < 2) {
      throw new IllegalArgumentException("bins must be >= 2, got " + bins);
    }
    if (maxModels < 1 || maxModels > 3) {
      throw new IllegalArgumentException("maxModels must be 1..3, got " + maxModels);
    }
    this.bins = bins;
    this.maxModels = maxModels;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("automix",
        "Madaan et al., AutoMix: Automatically Mixing Language Models, arXiv 2310.12963",
        Dimensions.of(When.MULTI_STAGE, How.SUPERVISED, Signal.RESPONSE, Signal.MODEL_METADATA),
        "the few-shot self-verification call is replaced by each model's recorded confidence signal (for the "
            + "open-ended tasks the recording is itself a self-assessment call); POMDP states are the models' "
            + "joint correctness, solved exactly over at most three models; which models to mix is chosen on "
            + "train per cost weight");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    ModelStats stats = ModelStats.of(train);
    chain = stats.efficientChain();
    calibrated = CalibratedConfidence.fit(train);
    byLambda.clear();
    int m = chain.size();
    List<RecordedQuery> qs = train.queries();
    binEdges = new double[m][];
    likelihood = new double[m][2][bins];
    scaledMeanCost = new double[m];
    trainBin = new int[m][qs.size()];
    trainCorrect = new boolean[m][qs.size()];
    trainCost = new double[m][qs.size()];
    for (int i = 0; i < m; i++) {
      String id = chain.get(i);
      scaledMeanCost[i] = stats.scaledCost(id);
      double[] p = qs.stream().mapToDouble(q -> calibrated.probability(id, q)).sorted().toArray();
      binEdges[i] = new double[bins - 1];
      for (int b = 1; b < bins; b++) {
        binEdges[i][b - 1] = p[Math.min(p.length - 1, b * p.length / bins)];
      }
      double[][] counts = new double[2][bins];
      for (int n = 0; n < qs.size(); n++) {
        RecordedQuery q = qs.get(n);
        trainBin[i][n] = bin(i, calibrated.probability(id, q));
        trainCorrect[i][n] = q.outcome(id).score() >= 0.5;
        trainCost[i][n] = q.outcome(id).costUsd() / stats.costScale();
        counts[trainCorrect[i][n] ? 1 : 0][trainBin[i][n]]++;
      }
      for (int c = 0; c < 2; c++) {
        double total = Arrays.stream(counts[c]).sum();
        for (int b = 0; b < bins; b++) {
          likelihood[i][c][b] = (counts[c][b] + 1) / (total + bins);
        }
      }
    }
  }

  int bin(int chainIndex, double p) {
    int b = 0;
    while (b < binEdges[chainIndex].length && p >= binEdges[chainIndex][b]) {
      b++;
    }
    return b;
  }

  public List<String> chain() {
    return chain;
  }

  /** The models mixed at this cost weight (chosen on train). */
  public List<String> models(double lambda) {
    return pomdp(lambda).models();
  }

  Pomdp pomdp(double lambda) {
    if (calibrated == null) {
      throw new IllegalStateException("automix: fit() must run first");
    }
    return byLambda.computeIfAbsent(lambda, this::selectSubset);
  }

  private Pomdp selectSubset(double lambda) {
    Pomdp best = null;
    double bestUtility = Double.NEGATIVE_INFINITY;
    for (int[] subset : subsets(chain.size(), maxModels)) {
      Pomdp candidate = new Pomdp(subset, lambda);
      double utility = candidate.trainingUtility();
      if (utility > bestUtility + 1e-12) {
        best = candidate;
        bestUtility = utility;
      }
    }
    return best;
  }

  private static List<int[]> subsets(int n, int max) {
    List<int[]> out = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      out.add(new int[] {a});
      for (int b = a + 1; b < n && max >= 2; b++) {
        out.add(new int[] {a, b});
        for (int c = b + 1; c < n && max >= 3; c++) {
          out.add(new int[] {a, b, c});
        }
      }
    }
    return out;
  }

  /** The POMDP over one subset of the chain at one cost weight, with its policy tabulated lazily. */
  final class Pomdp {
    private final int[] members;
    private final double lambda;
    private final double[] prior;
    private final Map<Integer, Boolean> continueTable = new ConcurrentHashMap<>();

    Pomdp(int[] members, double lambda) {
      this.members = members;
      this.lambda = lambda;
      this.prior = new double[1 << members.length];
      Arrays.fill(prior, 1);
      int n = trainCorrect[0].length;
      for (int q = 0; q < n; q++) {
        int s = 0;
        for (int i = 0; i < members.length; i++) {
          if (trainCorrect[members[i]][q]) {
            s |= 1 << i;
          }
        }
        prior[s]++;
      }
      double total = Arrays.stream(prior).sum();
      for (int s = 0; s < prior.length; s++) {
        prior[s] /= total;
      }
    }

    List<String> models() {
      return Arrays.stream(members).mapToObj(chain::get).toList();
    }

    int size() {
      return members.length;
    }

    double[] belief(int[] observed) {
      double[] b = prior.clone();
      double total = 0;
      for (int s = 0; s < b.length; s++) {
        for (int i = 0; i < observed.length; i++) {
          b[s] *= likelihood[members[i]][(s >> i) & 1][observed[i]];
        }
        total += b[s];
      }
      for (int s = 0; s < b.length; s++) {
        b[s] /= total;
      }
      return b;
    }

    double stopValue(double[] belief, int k) {
      double best = 0;
      for (int i = 0; i < k; i++) {
        best = Math.max(best, believedCorrect(belief, i));
      }
      return best;
    }

    double continueValue(int[] observed) {
      int k = observed.length;
      double[] b = belief(observed);
      double value = -lambda * scaledMeanCost[members[k]];
      for (int o = 0; o < bins; o++) {
        double po = 0;
        for (int s = 0; s < b.length; s++) {
          po += b[s] * likelihood[members[k]][(s >> k) & 1][o];
        }
        int[] next = Arrays.copyOf(observed, k + 1);
        next[k] = o;
        value += po * optimalValue(next);
      }
      return value;
    }

    double optimalValue(int[] observed) {
      double stop = stopValue(belief(observed), observed.length);
      if (observed.length == members.length) {
        return stop;
      }
      return Math.max(stop, continueValue(observed));
    }

    /** True when, after these observations, calling the next model is worth more than stopping. */
    boolean shouldContinue(int[] observed) {
      if (observed.length == 0) {
        return true;
      }
      if (observed.length >= members.length) {
        return false;
      }
      int key = observed.length;
      for (int o : observed) {
        key = key * bins + o;
      }
      return continueTable.computeIfAbsent(key,
          k -> continueValue(observed) > stopValue(belief(observed), observed.length));
    }

    /** Index (within the subset) of the answer with the highest believed correctness. */
    int bestAnswer(int[] observed) {
      double[] b = belief(observed);
      int best = 0;
      for (int i = 1; i < observed.length; i++) {
        if (believedCorrect(b, i) > believedCorrect(b, best)) {
          best = i;
        }
      }
      return best;
    }

    double trainingUtility() {
      int n = trainCorrect[0].length;
      double total = 0;
      for (int q = 0; q < n; q++) {
        int[] observed = new int[0];
        double cost = 0;
        while (shouldContinue(observed)) {
          int model = members[observed.length];
          cost += trainCost[model][q];
          observed = Arrays.copyOf(observed, observed.length + 1);
          observed[observed.length - 1] = trainBin[model][q];
        }
        total += (trainCorrect[members[bestAnswer(observed)]][q] ? 1 : 0) - lambda * cost;
      }
      return total / n;
    }
  }

  /** {@code E_b[c_i]}, the believed probability that the subset's model {@code i} answered correctly. */
  static double believedCorrect(double[] belief, int i) {
    double p = 0;
    for (int s = 0; s < belief.length; s++) {
      if (((s >> i) & 1) == 1) {
        p += belief[s];
      }
    }
    return p;
  }

  @Override
  public double[] tradeoffs() {
    return ModelStats.costWeightGrid();
  }

  @Override
  public Planner planner(double lambda) {
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
    }
    Pomdp pomdp = pomdp(lambda);
    return state -> next(state, pomdp);
  }

  private PlanAction next(PlanState state, Pomdp pomdp) {
    List<Decision> trace = new ArrayList<>();
    List<String> models = pomdp.models();
    List<Attempt> attempts = state.attempts();
    int k = Math.min(attempts.size(), models.size());
    if (attempts.isEmpty()) {
      trace.add(Decision.of(Stage.PRE_ROUTE, models.get(0), "automix: smallest mixed model first", Double.NaN));
      return PlanAction.Route.to(models.get(0), trace);
    }
    // Attempts follow the model order; a failed call carries no observation and counts as a middling one.
    int[] observed = new int[k];
    boolean anyAnswer = false;
    for (int i = 0; i < k; i++) {
      Attempt a = attempts.get(i);
      if (a.succeeded()) {
        observed[i] = bin(pomdp.members[i], calibrated.probability(AnswerSignal.of(a.response())));
        anyAnswer = true;
      } else {
        observed[i] = bins / 2;
      }
    }
    double[] b = pomdp.belief(observed);
    boolean canContinue = k < models.size() && !state.budgetExhausted();
    if (canContinue && (!anyAnswer || pomdp.shouldContinue(observed))) {
      trace.add(Decision.of(Stage.ESCALATE, models.get(k), "route: value of continuing", Double.NaN));
      return PlanAction.Route.to(models.get(k), trace);
    }
    if (!anyAnswer) {
      trace.add(Decision.of(Stage.ABSTAIN, null, "every model failed", Double.NaN));
      return new PlanAction.Abstain("every model failed", trace);
    }
    int best = -1;
    for (int i = 0; i < k; i++) {
      if (attempts.get(i).succeeded() && (best < 0 || believedCorrect(b, i) > believedCorrect(b, best))) {
        best = i;
      }
    }
    Response chosen = attempts.get(best).response();
    trace.add(Decision.of(Stage.ANSWER, chosen.modelId(), "accept: best belief", believedCorrect(b, best)));
    return new PlanAction.Answer(chosen.text(), chosen.modelId(), trace);
  }
}
