package dev.switchyard.strategies.ensemble;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Switchyard's flagship: a cascade whose stopping rule is a learned probability that the <em>consensus</em>
 * answer is correct, with the chain and the threshold chosen per task on the training split for each cost
 * weight.
 *
 * <p>Sources: the threshold cascade of FrugalGPT (Chen, Zaharia &amp; Zou, arXiv 2305.05176) and of Zellinger
 * &amp; Thomson ("Rational Tuning of LLM Cascades via Probabilistic Modeling", arXiv 2501.09345), whose
 * per-model calibrated confidences and correlated-correctness model motivate conditioning on earlier answers;
 * answer agreement as a correctness signal is the consistency idea of Yue et al. ("Large Language Model
 * Cascades with Mixture of Thoughts Representations", arXiv 2310.03094); the joint choice of chain and stopping
 * rule by expected utility is the cascade-routing view of Dekoninck et al. ("A Unified Approach to Routing and
 * Cascading for LLMs", arXiv 2410.10347).
 *
 * <p>Rule. Per task group g (each task with at least {@value #MIN_GROUP} training queries, plus a pooled group
 * for unseen tasks): models are ordered by mean training cost. Each model's raw confidence x (a
 * log-probability) is calibrated per group by a logistic regression on {@code [1, x, logit(e^x)]}, giving
 * {@code p_m}; the log-odds term spreads out the log-probabilities that crowd just below 0, which a Platt
 * scaling linear in x cannot separate. After the models S have answered, the answer is the weighted vote
 * {@code argmax_a sum_{m in S, answer_m = a} p_m} (answers compared after {@link Aggregation#normalise}), and
 * its probability of being correct is
 * {@code P_S = sigmoid(w_S . [1, logit p_m, agree_m, agree_m logit p_m (m in S), vote share])}, an
 * L2-regularised logistic regression per (group, S) for every S of at most {@code maxDepth} models. A chain is
 * any cost-ordered set of at most {@code maxDepth} models; the cascade walks it and stops at the first prefix
 * with {@code P_S >= tau} (or at its end). For cost weight {@code lambda}, each group uses the (chain, tau)
 * that maximises {@code mean quality - lambda * mean cost / c_ref} on the training split, where quality is
 * computed with out-of-fold {@code P_S} ({@code folds}-fold cross-validation inside train) and {@code c_ref}
 * is the highest mean training cost of any model. Since the objective is a sum over queries, the per-group
 * choices are jointly optimal for the whole split. {@code lambda} is the trade-off swept.
 *
 * <p>With {@code useAgreement = false} the same machinery becomes the reference "confidence cascade, thresholds
 * tuned on train": the feature vector is only {@code [1, logit p_last]} and the last answer is returned.
 *
 * <p>Failures: a refused or failed call is skipped (the next chain model is tried); a model absent from the
 * training data is ignored; when no chain model is left the best answer so far is returned, and with no answer
 * at all the planner tries any untried model, then abstains.
 */
public final class AgreementCascade implements Strategy {
  static final double[] TAUS = taus();
  private static final int MIN_GROUP = 60;
  private static final int LAMBDA_GRID = 400;
  private static final double CALIBRATION_L2 = 1e-2;
  private static final String POOLED = "*";

  private final String name;
  private final boolean useAgreement;
  private final int maxDepth;
  private final int folds;
  private final double l2;
  private final boolean shareStoppingModels;

  private List<String> models = List.of();
  private double costScale = 1;
  private final Map<String, Group> groups = new HashMap<>();

  private AgreementCascade(Builder b) {
    this.name = b.name;
    this.useAgreement = b.useAgreement;
    this.maxDepth = b.maxDepth;
    this.folds = b.folds;
    this.l2 = b.l2;
    this.shareStoppingModels = b.shareStoppingModels;
  }

  /** The flagship with its default settings. */
  public static AgreementCascade flagship() {
    return builder().build();
  }

  /** The reference "confidence cascade, thresholds tuned on train": no agreement features. */
  public static AgreementCascade tunedConfidenceCascade() {
    return builder().name("baseline-tuned-cascade").useAgreement(false).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Validating builder; defaults are the flagship's. */
  public static final class Builder {
    private String name = "agreement-cascade";
    private boolean useAgreement = true;
    private int maxDepth = 4;
    private int folds = 5;
    private double l2 = 1.0;
    private boolean shareStoppingModels = false;

    public Builder name(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("name must be non-blank, got '" + value + "'");
      }
      name = value;
      return this;
    }

    public Builder useAgreement(boolean value) {
      useAgreement = value;
      return this;
    }

    public Builder maxDepth(int value) {
      if (value < 1 || value > 6) {
        throw new IllegalArgumentException("maxDepth must be in 1..6, got " + value);
      }
      maxDepth = value;
      return this;
    }

    public Builder folds(int value) {
      if (value < 2) {
        throw new IllegalArgumentException("folds must be >= 2, got " + value);
      }
      folds = value;
      return this;
    }

    public Builder l2(double value) {
      if (!(value >= 0)) {
        throw new IllegalArgumentException("l2 must be >= 0, got " + value);
      }
      l2 = value;
      return this;
    }

    /**
     * Fit one stopping model per model set on all task groups together, with a task indicator, instead of
     * one per group (more data per model, less task-specific). Off by default: no gain on validation splits
     * inside train.
     */
    public Builder shareStoppingModels(boolean value) {
      shareStoppingModels = value;
      return this;
    }

    public AgreementCascade build() {
      return new AgreementCascade(this);
    }
  }

  @Override
  public StrategyInfo info() {
    String citation = "Chen et al., FrugalGPT, arXiv 2305.05176; Zellinger & Thomson, arXiv 2501.09345; "
        + "Yue et al., arXiv 2310.03094; Dekoninck et al., arXiv 2410.10347";
    return useAgreement
        ? new StrategyInfo(name, citation,
            Dimensions.of(When.MULTI_STAGE, How.SUPERVISED, Signal.QUERY, Signal.RESPONSE, Signal.MODEL_METADATA),
            "task label instead of a query encoder; recorded log-probability / asked confidence calibrated per "
                + "task; agreement = equal normalised answer text; chain and threshold per task chosen by "
                + maxDepth + "-model exhaustive search with " + folds + "-fold CV inside train")
        : new StrategyInfo(name, "Chen et al., FrugalGPT, arXiv 2305.05176; Zellinger & Thomson, arXiv 2501.09345",
            Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.RESPONSE, Signal.MODEL_METADATA),
            "reference: per-task chain and single threshold on the last model's per-task calibrated confidence, "
                + "tuned on train by " + folds + "-fold CV; no agreement signal");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    models = List.copyOf(train.models());
    if (models.size() > 30) {
      throw new IllegalArgumentException(name + ": at most 30 models are supported, got " + models.size());
    }
    costScale = models.stream().mapToDouble(train::meanCost).max().orElse(1.0);
    if (!(costScale > 0)) {
      costScale = 1.0;
    }
    groups.clear();
    Map<String, List<RecordedQuery>> byTask = new LinkedHashMap<>();
    for (RecordedQuery q : train.queries()) {
      byTask.computeIfAbsent(q.task(), t -> new ArrayList<>()).add(q);
    }
    Random random = new Random(context.seed());
    groups.put(POOLED, fitGroup(POOLED, train.queries(), random));
    List<Prepared> parts = new ArrayList<>();
    for (var e : byTask.entrySet()) {
      if (e.getValue().size() >= MIN_GROUP) {
        parts.add(prepare(e.getKey(), e.getValue(), random));
      }
    }
    if (shareStoppingModels && parts.size() > 1) {
      for (int t = 0; t < parts.size(); t++) {
        parts.get(t).g().taskIndex = t;
        parts.get(t).g().taskCount = parts.size();
      }
      fitStoppingModels(parts);
    } else {
      parts.forEach(part -> fitStoppingModels(List.of(part)));
    }
    for (Prepared part : parts) {
      fillChainTable(part);
      groups.put(part.g().key, part.g());
    }
  }

  /** Everything learned for one task group. */
  private final class Group {
    final String key;
    final int[] order;
    final LogisticRegression[] calibrators;
    final double[] prior;
    final Map<Integer, LogisticRegression> stop = new HashMap<>();
    final List<int[]> chains = new ArrayList<>();
    final List<double[]> chainQuality = new ArrayList<>();
    final List<double[]> chainCost = new ArrayList<>();
    /** Position of this group's indicator in the shared stopping models' inputs; -1 when not shared. */
    int taskIndex = -1;
    int taskCount;

    double[] stopInputs(double[] features) {
      if (taskIndex < 0) {
        return features;
      }
      double[] x = Arrays.copyOf(features, features.length + taskCount);
      x[features.length + taskIndex] = 1;
      return x;
    }


    Group(String key, int[] order, LogisticRegression[] calibrators, double[] prior) {
      this.key = key;
      this.order = order;
      this.calibrators = calibrators;
      this.prior = prior;
    }

    double probability(int model, Double rawConfidence) {
      if (rawConfidence == null || !Double.isFinite(rawConfidence) || calibrators[model] == null) {
        return prior[model];
      }
      return calibrators[model].probability(calibrationFeatures(rawConfidence));
    }
  }

  private Prepared prepare(String key, List<RecordedQuery> queries, Random random) {
    int m = models.size();
    int n = queries.size();
    double[][] p = new double[n][m];
    int[][] answer = new int[n][m];
    double[][] score = new double[n][m];
    double[][] cost = new double[n][m];
    double[] prior = new double[m];
    double[] meanCost = new double[m];
    LogisticRegression[] calibrators = new LogisticRegression[m];
    for (int j = 0; j < m; j++) {
      String model = models.get(j);
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        RecordedOutcome o = queries.get(i).outcome(model);
        score[i][j] = o.score();
        cost[i][j] = o.costUsd();
        prior[j] += o.score() / n;
        meanCost[j] += o.costUsd() / n;
        if (o.hasConfidence()) {
          xs.add(o.confidence());
          ys.add(o.score());
        }
      }
      if (xs.size() >= 10) {
        double[][] cx = xs.stream().map(AgreementCascade::calibrationFeatures).toArray(double[][]::new);
        calibrators[j] = LogisticRegression.fitWithIntercept(cx,
            ys.stream().mapToDouble(Double::doubleValue).toArray(), LogisticRegression.ones(cx.length), CALIBRATION_L2);
      }
    }
    Integer[] boxed = new Integer[m];
    for (int j = 0; j < m; j++) {
      boxed[j] = j;
    }
    Arrays.sort(boxed, Comparator.<Integer>comparingDouble(j -> meanCost[j]).thenComparing(j -> models.get(j)));
    int[] order = Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
    Group g = new Group(key, order, calibrators, prior);
    for (int i = 0; i < n; i++) {
      Map<String, Integer> ids = new HashMap<>();
      for (int j = 0; j < m; j++) {
        RecordedOutcome o = queries.get(i).outcome(models.get(j));
        p[i][j] = g.probability(j, o.hasConfidence() ? o.confidence() : null);
        answer[i][j] = ids.computeIfAbsent(Aggregation.normalise(o.answer()), k -> ids.size());
      }
    }
    int[] fold = new int[n];
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int k = random.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[k];
      perm[k] = t;
    }
    for (int i = 0; i < n; i++) {
      fold[perm[i]] = i % folds;
    }
    List<int[]> subsets = new ArrayList<>();
    collectSubsets(order, 0, new int[0], subsets);
    return new Prepared(g, n, p, answer, score, cost, fold, subsets, new HashMap<>(), new HashMap<>(),
        new HashMap<>());
  }

  /** One group's training data, before its stopping models and chain table are fitted. */
  private record Prepared(Group g, int n, double[][] p, int[][] answer, double[][] score, double[][] cost,
      int[] fold, List<int[]> subsets, Map<Integer, double[]> oof, Map<Integer, double[]> consensusScore,
      Map<Integer, double[]> subsetCost) {}

  private Group fitGroup(String key, List<RecordedQuery> queries, Random random) {
    Prepared prepared = prepare(key, queries, random);
    fitStoppingModels(List.of(prepared));
    fillChainTable(prepared);
    return prepared.g();
  }

  /**
   * For every model set S: the consensus score and cost on each training query, and a stopping model fitted
   * on the union of the groups' queries (one group, or every task group with a task indicator), with its
   * out-of-fold predictions.
   */
  private void fitStoppingModels(List<Prepared> parts) {
    for (int[] canonical : parts.get(0).subsets()) {
      int mask = mask(canonical);
      List<double[]> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      List<Integer> folds = new ArrayList<>();
      for (Prepared part : parts) {
        int[] subset = Arrays.stream(part.g().order).filter(j -> (mask & (1 << j)) != 0).toArray();
        double[] y = new double[part.n()];
        double[] c = new double[part.n()];
        for (int i = 0; i < part.n(); i++) {
          Consensus cons = consensus(subset, part.p()[i], part.answer()[i]);
          xs.add(part.g().stopInputs(cons.features()));
          y[i] = part.score()[i][cons.credited()];
          ys.add(y[i]);
          folds.add(part.fold()[i]);
          for (int j : subset) {
            c[i] += part.cost()[i][j];
          }
        }
        part.consensusScore().put(mask, y);
        part.subsetCost().put(mask, c);
      }
      double[][] x = xs.toArray(new double[0][]);
      double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
      double[] pred = new double[x.length];
      double[] inFold = new double[x.length];
      for (int f = 0; f < this.folds; f++) {
        for (int i = 0; i < x.length; i++) {
          inFold[i] = folds.get(i) != f ? 1 : 0;
        }
        LogisticRegression lr = LogisticRegression.fitWithIntercept(x, y, inFold, l2);
        for (int i = 0; i < x.length; i++) {
          if (folds.get(i) == f) {
            pred[i] = lr.probability(x[i]);
          }
        }
      }
      LogisticRegression finalModel = LogisticRegression.fitWithIntercept(x, y, LogisticRegression.ones(x.length), l2);
      int at = 0;
      for (Prepared part : parts) {
        part.g().stop.put(mask, finalModel);
        part.oof().put(mask, Arrays.copyOfRange(pred, at, at + part.n()));
        at += part.n();
      }
    }
  }

  /** Quality and cost on the training queries of every chain at every threshold, from out-of-fold P_S. */
  private void fillChainTable(Prepared part) {
    Group g = part.g();
    int n = part.n();
    Map<Integer, double[]> oof = part.oof();
    Map<Integer, double[]> consensusScore = part.consensusScore();
    Map<Integer, double[]> subsetCost = part.subsetCost();
    for (int[] chain : part.subsets()) {
      double[] quality = new double[TAUS.length];
      double[] spent = new double[TAUS.length];
      double[][] prefixP = new double[chain.length][];
      double[][] prefixY = new double[chain.length][];
      double[][] prefixC = new double[chain.length][];
      int prefixMask = 0;
      for (int k = 0; k < chain.length; k++) {
        prefixMask |= 1 << chain[k];
        prefixP[k] = oof.get(prefixMask);
        prefixY[k] = consensusScore.get(prefixMask);
        prefixC[k] = subsetCost.get(prefixMask);
      }
      for (int t = 0; t < TAUS.length; t++) {
        double q = 0;
        double c = 0;
        for (int i = 0; i < n; i++) {
          int k = 0;
          while (k < chain.length - 1 && prefixP[k][i] < TAUS[t]) {
            k++;
          }
          q += prefixY[k][i];
          c += prefixC[k][i];
        }
        quality[t] = q / n;
        spent[t] = c / n;
      }
      g.chains.add(chain);
      g.chainQuality.add(quality);
      g.chainCost.add(spent);
    }
  }

  private void collectSubsets(int[] order, int from, int[] prefix, List<int[]> out) {
    for (int k = from; k < order.length; k++) {
      int[] next = Arrays.copyOf(prefix, prefix.length + 1);
      next[prefix.length] = order[k];
      out.add(next);
      if (next.length < maxDepth) {
        collectSubsets(order, k + 1, next, out);
      }
    }
  }

  private static int mask(int[] subset) {
    int mask = 0;
    for (int j : subset) {
      mask |= 1 << j;
    }
    return mask;
  }

  /** The consensus of the models {@code subset} (cost order) and the stopping model's features. */
  private record Consensus(int credited, double[] features) {}

  private Consensus consensus(int[] subset, double[] p, int[] answer) {
    if (!useAgreement) {
      int last = subset[subset.length - 1];
      return new Consensus(last, new double[] {1, logit(p[last])});
    }
    // Weighted vote; ties go to the answer of the cheaper model, as answers are visited in cost order.
    int winner = -1;
    double winnerWeight = -1;
    double total = 0;
    for (int j : subset) {
      total += p[j];
      double w = 0;
      for (int k : subset) {
        if (answer[k] == answer[j]) {
          w += p[k];
        }
      }
      if (w > winnerWeight + 1e-12) {
        winner = j;
        winnerWeight = w;
      }
    }
    int credited = winner;
    for (int j : subset) {
      if (answer[j] == answer[winner] && p[j] > p[credited]) {
        credited = j;
      }
    }
    // Features in model-index order, so that position k means the same model in every task group.
    int[] layout = subset.clone();
    Arrays.sort(layout);
    int s = layout.length;
    double[] x = new double[2 + 3 * s];
    x[0] = 1;
    for (int k = 0; k < s; k++) {
      int j = layout[k];
      double z = logit(p[j]);
      double agree = answer[j] == answer[winner] ? 1 : 0;
      x[1 + k] = z;
      x[1 + s + k] = agree;
      x[1 + 2 * s + k] = agree * z;
    }
    x[1 + 3 * s] = total > 0 ? winnerWeight / total : 0;
    return new Consensus(credited, x);
  }

  /**
   * Calibration inputs of a raw confidence x (a log-probability, higher = surer): {@code [1, x, logit(e^x)]}.
   * Recorded log-probabilities crowd near 0 (-1e-6 and -1e-2 are both "sure" on a linear scale, yet differ
   * in reliability); the log-odds of the token probability spreads them out, while x itself keeps the scale of
   * the unsure tail. Signals that are not log-probabilities (x &gt; 0) keep only the linear term.
   */
  static double[] calibrationFeatures(double x) {
    if (x > 0) {
      return new double[] {1, x, 0};
    }
    double lp = Math.max(-30, Math.min(-1e-9, x));
    return new double[] {1, lp, lp - Math.log1p(-Math.exp(lp))};
  }

  private static double logit(double p) {
    double c = Math.min(1 - 1e-4, Math.max(1e-4, p));
    return Math.log(c / (1 - c));
  }

  private static double[] taus() {
    double[] t = new double[51];
    for (int i = 0; i < t.length; i++) {
      t[i] = i / 50.0;
    }
    return t;
  }

  /**
   * Cost weights where the policy changes: a grid of 0 and {@value #LAMBDA_GRID} log-spaced values from 1e-3
   * to 1e3 (quality per {@code c_ref} of cost), keeping only the first weight of each run of identical
   * per-group policies, so the frontier is dense and no two points replay the same planner.
   */
  @Override
  public double[] tradeoffs() {
    requireFitted();
    List<Double> kept = new ArrayList<>();
    String previous = null;
    for (double lambda : lambdaGrid(LAMBDA_GRID)) {
      StringBuilder signature = new StringBuilder();
      for (String key : new java.util.TreeSet<>(groups.keySet())) {
        Policy p = choose(groups.get(key), lambda);
        signature.append(key).append(Arrays.toString(p.chain())).append(p.tau()).append(';');
      }
      if (!signature.toString().equals(previous)) {
        kept.add(lambda);
        previous = signature.toString();
      }
    }
    return kept.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** 0, then {@code points} log-spaced cost weights from 1e-3 to 1e3 (quality per {@code c_ref} of cost). */
  static double[] lambdaGrid(int points) {
    double[] grid = new double[points + 1];
    for (int i = 1; i <= points; i++) {
      grid[i] = Math.pow(10, -3 + 6.0 * (i - 1) / (points - 1));
    }
    return grid;
  }

  /** The (chain, tau) one group uses at cost weight {@code lambda}. */
  record Policy(int[] chain, double tau, double trainQuality, double trainCost) {}

  Policy choose(Group g, double lambda) {
    Policy best = null;
    double bestUtility = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < g.chains.size(); c++) {
      double[] q = g.chainQuality.get(c);
      double[] cost = g.chainCost.get(c);
      for (int t = 0; t < q.length; t++) {
        double u = q[t] - lambda * cost[t] / costScale;
        if (u > bestUtility + 1e-12 || (Math.abs(u - bestUtility) <= 1e-12 && cost[t] < best.trainCost())) {
          bestUtility = u;
          best = new Policy(g.chains.get(c), TAUS[t], q[t], cost[t]);
        }
      }
    }
    return best;
  }

  /** The training-split policy of each group at this cost weight (for reports and tests). */
  public Map<String, String> describe(double lambda) {
    requireFitted();
    Map<String, String> out = new java.util.TreeMap<>();
    groups.forEach((key, g) -> {
      Policy p = choose(g, lambda);
      out.put(key, String.format(java.util.Locale.ROOT, "%s tau=%.2f train q=%.4f cost=%.3e",
          chainNames(p.chain()), p.tau(), p.trainQuality(), p.trainCost()));
    });
    return out;
  }

  private String chainNames(int[] chain) {
    StringBuilder sb = new StringBuilder();
    for (int j : chain) {
      sb.append(sb.length() == 0 ? "" : ">").append(models.get(j));
    }
    return sb.toString();
  }

  private void requireFitted() {
    if (groups.isEmpty()) {
      throw new IllegalStateException(name + ": fit() must run before planner()");
    }
  }

  @Override
  public Planner planner(double lambda) {
    requireFitted();
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException(name + ": cost weight must be >= 0, got " + lambda);
    }
    Map<String, Policy> policies = new HashMap<>();
    groups.forEach((key, g) -> policies.put(key, choose(g, lambda)));
    return state -> next(state, policies);
  }

  private PlanAction next(PlanState state, Map<String, Policy> policies) {
    String task = state.query().task();
    Group g = task != null && groups.containsKey(task) ? groups.get(task) : groups.get(POOLED);
    Policy policy = policies.get(g.key);
    List<Decision> trace = new ArrayList<>();
    double[] p = new double[models.size()];
    int[] answer = new int[models.size()];
    Map<Integer, Response> responses = new HashMap<>();
    Map<String, Integer> ids = new HashMap<>();
    for (Attempt a : state.attempts()) {
      int j = models.indexOf(a.modelId());
      if (j < 0 || !a.succeeded()) {
        continue;
      }
      Response r = a.response();
      responses.put(j, r);
      p[j] = g.probability(j, r.confidence());
      answer[j] = ids.computeIfAbsent(Aggregation.normalise(r.text()), k -> ids.size());
    }
    if (responses.isEmpty()) {
      if (state.attempts().isEmpty()) {
        trace.add(Decision.of(Stage.PRE_ROUTE, models.get(policy.chain()[0]),
            "chain " + chainNames(policy.chain()) + " tau " + policy.tau(), policy.trainQuality()));
      }
      return routeNext(state, g, policy, trace)
          .orElseGet(() -> new PlanAction.Abstain("no model answered", trace));
    }
    int[] answered = Arrays.stream(g.order).filter(responses::containsKey).toArray();
    Consensus cons = consensus(answered, p, answer);
    LogisticRegression lr = g.stop.get(mask(answered));
    double confidence = lr != null ? lr.probability(g.stopInputs(cons.features())) : p[cons.credited()];
    Response credited = responses.get(cons.credited());
    trace.add(Decision.of(Stage.VERIFY, credited.modelId(), useAgreement ? "consensus" : "confidence", confidence));
    double threshold = policy.tau();
    if (confidence < threshold && !state.budgetExhausted()) {
      var route = routeNextInChain(state, policy, trace);
      if (route.isPresent()) {
        return route.get();
      }
    }
    trace.add(Decision.of(Stage.ANSWER, credited.modelId(), confidence >= threshold ? "accept" : "end of chain",
        confidence));
    return new PlanAction.Answer(credited.text(), credited.modelId(), trace);
  }

  private java.util.Optional<PlanAction> routeNext(PlanState state, Group g, Policy policy, List<Decision> trace) {
    var inChain = routeNextInChain(state, policy, trace);
    if (inChain.isPresent() || state.budgetExhausted()) {
      return inChain;
    }
    // Nothing answered and the chain is used up: any untried model, cheapest first.
    for (int j : g.order) {
      String id = models.get(j);
      if (!state.tried(id) && state.card(id).isPresent() && !state.loadOf(id).circuitOpen()) {
        trace.add(Decision.of(Stage.ESCALATE, id, "fallback:" + id, Double.NaN));
        return java.util.Optional.of(PlanAction.Route.to(id, trace));
      }
    }
    return java.util.Optional.empty();
  }

  private java.util.Optional<PlanAction> routeNextInChain(PlanState state, Policy policy, List<Decision> trace) {
    for (int j : policy.chain()) {
      String id = models.get(j);
      if (state.tried(id) || state.card(id).isEmpty() || state.loadOf(id).circuitOpen()) {
        continue;
      }
      ModelCard card = state.card(id).get();
      if (!state.query().budget().affords(state.spentUsd(), card.descriptor("mean_cost_usd", 0))) {
        continue;
      }
      trace.add(Decision.of(state.attempts().isEmpty() ? Stage.PRE_ROUTE : Stage.ESCALATE, id,
          (state.attempts().isEmpty() ? "route:" : "escalate:") + id, Double.NaN));
      return java.util.Optional.of(PlanAction.Route.to(id, trace));
    }
    return java.util.Optional.empty();
  }
}
