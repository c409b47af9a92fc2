package dev.switchyard.strategies.uncertainty;

import dev.switchyard.protocol.Response;
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
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CP-Router (Su et al., "CP-Router: An Uncertainty-Aware Router Between LLM and LRM", arXiv 2505.19970):
 * split conformal prediction decides whether the cheap model's answer is certain enough.
 *
 * <p>Labels of a query are its answer options: {@code K} options for a multiple-choice prompt, otherwise
 * {@code K = 2} ("the model's answer" and "any other answer"). Model {@code m}'s calibrated confidence
 * {@code p} goes to its answer and {@code (1 - p) / (K - 1)} to each other option; the nonconformity score of
 * label {@code y} is {@code s(x, y) = 1 - p(y | x)}. The training split is cut (seeded) into a fitting part,
 * on which the Platt calibrators are fitted, and a calibration part, on which the scores of the true labels
 * give the conformal quantile {@code qhat_m = s_(ceil((n + 1)(1 - alpha)))}, computed per task hint when the
 * task has enough calibration queries (Mondrian, group-conditional conformal prediction: coverage then holds
 * within each task, so a different task mix at serving time does not break it). The prediction set is
 * {@code C(x) = {y : s(x, y) <= qhat}}, which covers the true label with probability at least
 * {@code 1 - alpha} on exchangeable data ({@link #empiricalCoverage}). Routing looks at {@code C(x)} plus the
 * most likely label (so an empty set does not read as certainty): along the cost-efficient chain, a model's
 * answer is accepted when that set is the singleton of the answer; a larger set sends the query to the
 * next, stronger model. {@code alpha} is the trade-off
 * (smaller = larger sets = more escalation), swept from 0.5 down.
 */
public final class CpRouter implements Strategy {
  private static final Pattern OPTION = Pattern.compile("(?m)^\\s*\\(?([A-J])[:.)]\\s");
  private static final String POOLED = "";
  private final double calibrationShare;
  private final int minGroupSize;
  private List<String> chain = List.of();
  private CalibratedConfidence calibrated;
  /** Sorted calibration scores per model, per task ("" = all tasks pooled). */
  private final Map<String, Map<String, double[]>> calibrationScores = new HashMap<>();

  public CpRouter() {
    this(0.5, 30);
  }

  /**
   * @param calibrationShare the share of the training split held out for the conformal quantile
   * @param minGroupSize calibration scores a task needs for its own (Mondrian) quantile
   */
  public CpRouter(double calibrationShare, int minGroupSize) {
    if (!(calibrationShare > 0 && calibrationShare < 1)) {
      throw new IllegalArgumentException("calibrationShare must be in (0, 1), got " + calibrationShare);
    }
    if (minGroupSize < 1) {
      throw new IllegalArgumentException("minGroupSize must be >= 1, got " + minGroupSize);
    }
    this.calibrationShare = calibrationShare;
    this.minGroupSize = minGroupSize;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("cp-router",
        "Su et al., CP-Router: An Uncertainty-Aware Router Between LLM and LRM, arXiv 2505.19970",
        Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.RESPONSE, Signal.MODEL_METADATA),
        "no per-option logits: the option distribution is the calibrated confidence of the sampled answer with "
            + "the rest spread evenly over the other options; alpha is swept instead of tuned by FBE; escalates "
            + "along the cost-efficient chain instead of one LLM-to-LRM pair");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    List<RecordedQuery> shuffled = new ArrayList<>(train.queries());
    Collections.shuffle(shuffled, new Random(context.seed()));
    int calibrationSize = (int) Math.round(shuffled.size() * calibrationShare);
    if (calibrationSize < 1 || calibrationSize >= shuffled.size()) {
      throw new IllegalArgumentException("cp-router needs at least 2 training queries, got " + shuffled.size());
    }
    RecordedDataset fitting = train.subset(shuffled.subList(calibrationSize, shuffled.size()), "cp-fit");
    List<RecordedQuery> calibration = shuffled.subList(0, calibrationSize);
    calibrated = CalibratedConfidence.fit(fitting);
    chain = ModelStats.of(train).efficientChain();
    calibrationScores.clear();
    for (String m : train.models()) {
      Map<String, List<Double>> byTask = new HashMap<>();
      for (RecordedQuery q : calibration) {
        double score = trueLabelScore(calibrated.probability(m, q), optionCount(q.prompt()),
            q.outcome(m).score() >= 0.5);
        byTask.computeIfAbsent(POOLED, k -> new ArrayList<>()).add(score);
        byTask.computeIfAbsent(q.task(), k -> new ArrayList<>()).add(score);
      }
      Map<String, double[]> sorted = new HashMap<>();
      byTask.forEach((task, scores) -> {
        if (task.equals(POOLED) || scores.size() >= minGroupSize) {
          sorted.put(task, scores.stream().mapToDouble(Double::doubleValue).sorted().toArray());
        }
      });
      calibrationScores.put(m, sorted);
    }
  }

  /** Options of a multiple-choice prompt (lines like "A: ..." or "(B) ..."), else 2. */
  public static int optionCount(String prompt) {
    Matcher matcher = OPTION.matcher(prompt);
    java.util.Set<String> letters = new java.util.TreeSet<>();
    while (matcher.find()) {
      letters.add(matcher.group(1));
    }
    return letters.size() >= 2 ? letters.size() : 2;
  }

  static double trueLabelScore(double p, int options, boolean answerCorrect) {
    return answerCorrect ? 1 - p : 1 - (1 - p) / (options - 1);
  }

  /**
   * The conformal quantile of model {@code m} at level {@code alpha} for a query of the given task (the
   * task's own calibration scores when it had at least {@code minGroupSize} of them, else all tasks pooled);
   * +infinity when there are too few scores for the level.
   */
  public double quantile(String model, String task, double alpha) {
    requireFitted();
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    Map<String, double[]> byTask = calibrationScores.get(model);
    if (byTask == null) {
      throw new IllegalArgumentException("cp-router was not calibrated for model " + model);
    }
    double[] s = task != null && byTask.containsKey(task) ? byTask.get(task) : byTask.get(POOLED);
    int rank = (int) Math.ceil((s.length + 1) * (1 - alpha));
    return rank > s.length ? Double.POSITIVE_INFINITY : s[rank - 1];
  }

  /** The prediction set: whether it holds the model's answer, and how many other options it holds. */
  public record PredictionSet(boolean containsAnswer, int otherOptions) {
    public int size() {
      return (containsAnswer ? 1 : 0) + otherOptions;
    }

    public boolean isSingletonOfAnswer() {
      return containsAnswer && otherOptions == 0;
    }
  }

  /** The split-conformal set {@code {y : s(x, y) <= qhat}} (may be empty); its coverage is guaranteed. */
  public PredictionSet predictionSet(String model, String task, double p, int options, double alpha) {
    double qhat = quantile(model, task, alpha);
    double other = (1 - p) / (options - 1);
    return new PredictionSet(1 - p <= qhat, 1 - other <= qhat ? options - 1 : 0);
  }

  /**
   * The set routing looks at: the conformal set plus the most likely label, so it is never empty (an empty
   * set would otherwise read as "certain"). It contains the conformal set, so its coverage is at least as
   * high.
   */
  public PredictionSet routingSet(String model, String task, double p, int options, double alpha) {
    PredictionSet conformal = predictionSet(model, task, p, options, alpha);
    double other = (1 - p) / (options - 1);
    return new PredictionSet(conformal.containsAnswer() || p >= other,
        conformal.otherOptions() > 0 || other > p ? options - 1 : 0);
  }

  public PredictionSet routingSet(PlanState state, Response response, double alpha) {
    requireFitted();
    AnswerSignal a = AnswerSignal.of(response);
    return routingSet(response.modelId(), state.query().task(), calibrated.probability(a),
        optionCount(state.query().text()), alpha);
  }

  /**
   * Share of queries whose true label (the model's answer if it was right, another option if not) lies in
   * the model's split-conformal prediction set: the empirical coverage, which conformal prediction keeps at
   * or above {@code 1 - alpha} (and below {@code 1 - alpha + 1/(n + 1)} for continuous scores). Reads recorded
   * correctness, so it is an evaluation, never a routing signal.
   */
  public double empiricalCoverage(RecordedDataset data, String model, double alpha) {
    return coverage(data, model, alpha, false);
  }

  /** As {@link #empiricalCoverage}, for the non-empty sets routing uses. */
  public double routingSetCoverage(RecordedDataset data, String model, double alpha) {
    return coverage(data, model, alpha, true);
  }

  private double coverage(RecordedDataset data, String model, double alpha, boolean routing) {
    requireFitted();
    int covered = 0;
    for (RecordedQuery q : data.queries()) {
      double p = calibrated.probability(model, q);
      int k = optionCount(q.prompt());
      PredictionSet set = routing ? routingSet(model, q.task(), p, k, alpha)
          : predictionSet(model, q.task(), p, k, alpha);
      boolean correct = q.outcome(model).score() >= 0.5;
      if (correct ? set.containsAnswer() : set.otherOptions() > 0) {
        covered++;
      }
    }
    return covered / (double) data.size();
  }

  public List<String> chain() {
    return chain;
  }

  /** Miscoverage levels, from small sets (cheap) to large sets (escalate often). */
  @Override
  public double[] tradeoffs() {
    return new double[] {0.6, 0.5, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03, 0.02, 0.01};
  }

  @Override
  public Planner planner(double alpha) {
    requireFitted();
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    return new ThreeStagePipeline(
        state -> new RouteDecision(ModelStats.deployed(chain, state), Double.NaN, "conformal chain"),
        (state, response) -> calibrated.probability(AnswerSignal.of(response)),
        (state, confidence, route) -> {
          Response last = state.lastResponse().orElseThrow();
          if (!calibrationScores.containsKey(last.modelId())
              || routingSet(state, last, alpha).isSingletonOfAnswer()) {
            return Escalation.accept();
          }
          return route.ranking().stream().filter(m -> !state.tried(m)).findFirst()
              .<Escalation>map(Escalation.EscalateTo::new)
              .orElse(Escalation.accept());
        });
  }

  private void requireFitted() {
    if (calibrated == null) {
      throw new IllegalStateException("cp-router: fit() must run first");
    }
  }
}
