package dev.switchyard.strategies.cascade;

import dev.switchyard.protocol.Response;
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
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LLM-Blender (Jiang, Ren &amp; Lin, "LLM-Blender: Ensembling Large Language Models with Pairwise Ranking and
 * Generative Fusion", arXiv 2306.02561): run a pool of models, rank their answers with a pairwise ranker
 * (PairRanker), and combine the best.
 *
 * <p>PairRanker here is a pairwise logistic model {@code P(a_i > a_j | x) = sigmoid(w . (f_i - f_j))} over
 * candidate features {@code f} (model-by-task indicator, calibrated confidence log-odds, per-token signal,
 * answer shape, and the share of the other candidates that gave the same answer), trained on the training
 * split from every pair of candidates that differ in correctness, within random subsets of random size so
 * that the agreement feature means the same at every pool size. A candidate's score is its mean win
 * probability against the others (the paper's "max wins" aggregation). GenFuser is replaced by choosing:
 * answers that agree pool their scores (a weighted vote), and the highest-scoring answer is returned. The
 * pool is the first {@code K} models of an order built greedily on train (each step adds the model that
 * raises the blended training accuracy most per unit of mean cost); {@code K} is the trade-off (every pool
 * model is always called, so cost grows with {@code K}).
 */
public final class LlmBlender implements Strategy {
  private static final double L2 = 1.0;
  private List<String> models = List.of();
  private List<String> tasks = List.of();
  private List<String> pool = List.of();
  private CalibratedConfidence calibrated;
  private LogisticRegression ranker;

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("llm-blender",
        "Jiang, Ren & Lin, LLM-Blender: Ensembling LLMs with Pairwise Ranking and Generative Fusion, "
            + "arXiv 2306.02561",
        Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.RESPONSE),
        "PairRanker's cross-encoder is replaced by a pairwise logistic model over answer features and "
            + "agreement; generative fusion is replaced by choosing the top answer, with agreeing answers pooling "
            + "their scores");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    models = train.models();
    tasks = train.tasks();
    calibrated = CalibratedConfidence.fit(train);
    ModelStats stats = ModelStats.of(train);
    Random random = new Random(context.seed());
    List<double[]> rows = new ArrayList<>();
    List<Double> labels = new ArrayList<>();
    for (RecordedQuery q : train.queries()) {
      List<String> shuffled = new ArrayList<>(models);
      java.util.Collections.shuffle(shuffled, random);
      int k = models.size() < 2 ? models.size() : 2 + random.nextInt(models.size() - 1);
      List<AnswerSignal> candidates = shuffled.subList(0, k).stream().map(m -> AnswerSignal.of(m, q.outcome(m)))
          .toList();
      List<double[]> f = features(candidates, q.task());
      // One orientation per pair: the subset order is random, so the intercept stays near zero, and the
      // ranker is made exactly antisymmetric at use by dropping it.
      for (int i = 0; i < k; i++) {
        for (int j = i + 1; j < k; j++) {
          double si = q.outcome(candidates.get(i).modelId()).score();
          double sj = q.outcome(candidates.get(j).modelId()).score();
          if (si != sj) {
            rows.add(difference(f.get(i), f.get(j)));
            labels.add(si > sj ? 1.0 : 0.0);
          }
        }
      }
    }
    if (rows.isEmpty()) {
      ranker = new LogisticRegression(0, new double[featureCount()]);
    } else {
      ranker = LogisticRegression.fitAddingIntercept(rows.toArray(double[][]::new), labels.stream().mapToDouble(Double::doubleValue)
          .toArray(), L2);
    }
    pool = greedyPool(train, stats);
  }

  /**
   * Orders the models for the pool greedily on train: each step adds the model whose inclusion raises the
   * blended accuracy most per unit of its mean cost (when no model raises it, the one that lowers it least,
   * cheaper first).
   */
  private List<String> greedyPool(RecordedDataset train, ModelStats stats) {
    List<String> chosen = new ArrayList<>();
    List<String> remaining = new ArrayList<>(models);
    remaining.sort(Comparator.comparingDouble(stats::cost).thenComparing(Comparator.naturalOrder()));
    double current = 0;
    while (!remaining.isEmpty()) {
      String best = null;
      double bestKey = Double.NEGATIVE_INFINITY;
      double bestAccuracy = 0;
      boolean anyGain = false;
      for (String m : remaining) {
        List<String> candidate = new ArrayList<>(chosen);
        candidate.add(m);
        double accuracy = blendedAccuracy(train, candidate);
        double gain = accuracy - current;
        boolean gains = gain > 0;
        double key = gains ? gain / Math.max(stats.cost(m), 1e-12) : gain;
        if ((gains && !anyGain) || (gains == anyGain && key > bestKey)) {
          best = m;
          bestKey = key;
          bestAccuracy = accuracy;
          anyGain = anyGain || gains;
        }
      }
      chosen.add(best);
      remaining.remove(best);
      current = bestAccuracy;
    }
    return List.copyOf(chosen);
  }

  private double blendedAccuracy(RecordedDataset train, List<String> members) {
    double total = 0;
    for (RecordedQuery q : train.queries()) {
      List<AnswerSignal> candidates = members.stream().map(m -> AnswerSignal.of(m, q.outcome(m))).toList();
      total += q.outcome(blend(candidates, q.task()).modelId()).score();
    }
    return total / train.size();
  }

  /** The chosen answer: agreeing answers pool their rank scores, as {@link Aggregation#weightedVote} does. */
  public AnswerSignal blend(List<AnswerSignal> candidates, String task) {
    double[] u = utilities(candidates, task);
    Map<String, Double> totals = new LinkedHashMap<>();
    Map<String, AnswerSignal> champion = new LinkedHashMap<>();
    Map<String, Double> championScore = new HashMap<>();
    for (int i = 0; i < candidates.size(); i++) {
      AnswerSignal a = candidates.get(i);
      double score = rankScore(u, i);
      String key = a.normalised();
      totals.merge(key, score, Double::sum);
      if (!champion.containsKey(key) || score > championScore.get(key)) {
        champion.put(key, a);
        championScore.put(key, score);
      }
    }
    String best = null;
    for (var e : totals.entrySet()) {
      if (best == null || e.getValue() > totals.get(best)) {
        best = e.getKey();
      }
    }
    return champion.get(best);
  }

  /**
   * Each candidate's utility {@code w . f_i}: the ranker is linear in the feature difference, so
   * {@code P(i > j) = sigmoid(u_i - u_j)} and a pool of {@code K} needs {@code K} feature vectors, not
   * {@code K^2}.
   */
  private double[] utilities(List<AnswerSignal> all, String task) {
    List<double[]> f = features(all, task);
    double[] u = new double[all.size()];
    for (int i = 0; i < u.length; i++) {
      u[i] = ranker.logit(f.get(i)) - ranker.intercept();
    }
    return u;
  }

  /** Mean pairwise win probability of candidate {@code i} (1 when it stands alone). */
  private static double rankScore(double[] u, int i) {
    if (u.length == 1) {
      return 1;
    }
    double wins = 0;
    for (int j = 0; j < u.length; j++) {
      if (j != i) {
        wins += LogisticRegression.sigmoid(u[i] - u[j]);
      }
    }
    return wins / (u.length - 1);
  }

  private int featureCount() {
    return models.size() * (tasks.size() + 1) + 3 + AnswerSignal.ANSWER_FEATURES;
  }

  /** Every candidate's features; the agreement share is computed from normalised answers built once. */
  List<double[]> features(List<AnswerSignal> all, String task) {
    String[] keys = all.stream().map(AnswerSignal::normalised).toArray(String[]::new);
    List<double[]> out = new ArrayList<>(all.size());
    for (int i = 0; i < keys.length; i++) {
      int same = 0;
      for (int j = 0; j < keys.length; j++) {
        if (j != i && keys[j].equals(keys[i])) {
          same++;
        }
      }
      out.add(candidateFeatures(all.get(i), task, keys.length > 1 ? same / (double) (keys.length - 1) : 0));
    }
    return out;
  }

  private double[] candidateFeatures(AnswerSignal a, String task, double agreementShare) {
    double[] v = new double[featureCount()];
    int m = models.indexOf(a.modelId());
    int t = task == null ? -1 : tasks.indexOf(task);
    if (m >= 0) {
      v[m * (tasks.size() + 1) + (t < 0 ? tasks.size() : t)] = 1;
    }
    int at = models.size() * (tasks.size() + 1);
    v[at] = LogisticRegression.logOdds(calibrated.probability(a));
    v[at + 1] = a.perTokenConfidence();
    v[at + 2] = agreementShare;
    double[] shape = a.answerFeatures();
    System.arraycopy(shape, 0, v, at + 3, shape.length);
    return v;
  }

  private static double[] difference(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = a[i] - b[i];
    }
    return d;
  }

  /** PairRanker: probability that candidate {@code i} is better than {@code j} within a pool (antisymmetric). */
  public double prefers(AnswerSignal i, AnswerSignal j, String task, List<AnswerSignal> all) {
    int a = all.indexOf(i);
    int b = all.indexOf(j);
    if (a < 0 || b < 0) {
      throw new IllegalArgumentException("both candidates must belong to the pool");
    }
    double[] u = utilities(all, task);
    return LogisticRegression.sigmoid(u[a] - u[b]);
  }

  /** A response's rank score among the plan's responses: its mean pairwise win probability. */
  public double rankScore(PlanState state, Response response) {
    if (ranker == null) {
      throw new IllegalStateException("llm-blender: fit() must run first");
    }
    List<AnswerSignal> all = new ArrayList<>();
    AnswerSignal self = null;
    for (Response r : state.responses()) {
      AnswerSignal a = AnswerSignal.of(r);
      all.add(a);
      if (self == null && r.equals(response)) {
        self = a;
      }
    }
    if (self == null) {
      self = AnswerSignal.of(response);
      all.add(self);
    }
    return rankScore(utilities(all, state.query().task()), all.indexOf(self));
  }

  public List<String> pool() {
    return pool;
  }

  /** Pool sizes 1..N. */
  @Override
  public double[] tradeoffs() {
    int n = Math.max(1, pool.isEmpty() ? 9 : pool.size());
    double[] k = new double[n];
    for (int i = 0; i < n; i++) {
      k[i] = i + 1;
    }
    return k;
  }

  @Override
  public Planner planner(double poolSize) {
    if (ranker == null) {
      throw new IllegalStateException("llm-blender: fit() must run first");
    }
    int k = (int) Math.round(poolSize);
    if (k < 1 || k > pool.size()) {
      throw new IllegalArgumentException("pool size must be 1.." + pool.size() + ", got " + poolSize);
    }
    List<String> members = pool.subList(0, k);
    return new ThreeStagePipeline(
        state -> new RouteDecision(ModelStats.deployed(members, state), Double.NaN, "blender pool of " + k),
        this::rankScore,
        (state, score, route) -> route.ranking().stream().filter(m -> !state.tried(m)).findFirst()
            .<Escalation>map(Escalation.EscalateTo::new)
            .orElse(new Escalation.Aggregate()));
  }
}
