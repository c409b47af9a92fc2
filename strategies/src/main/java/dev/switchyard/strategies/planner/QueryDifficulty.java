package dev.switchyard.strategies.planner;

import dev.switchyard.strategies.bandit.ContextFeaturizer;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.TextAndTask;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model-agnostic estimate of how hard a query is: {@code d(x) = P(an average model answers x correctly)},
 * an L2-regularised logistic regression ({@link LogisticRegression}, soft labels = the share of training models
 * that answered the query correctly) on the query context of {@link ContextFeaturizer} (lexical cues, hashed
 * n-grams, task). Because it describes the query and not a model, a model added later is still scored through
 * its card: {@link #modelCorrectness} combines {@code d(x)} with a card's task quality {@code q_m} in a
 * Rasch-style (one-parameter IRT) way, {@code p_m(x) = sigmoid(logit q_m + logit d(x) - logit dbar_task)},
 * where {@code dbar_task} is the average model's training accuracy on the task: a query harder than its task's
 * average lowers every model's chance by the same amount on the logit scale.
 *
 * <p>{@link #outOfFold} gives cross-fitted estimates for the training queries themselves (each from a fit that
 * did not see it), so a policy trained on them sees estimates as noisy as the ones it will get on new queries.
 */
public final class QueryDifficulty {
  private static final double EPS = 1e-3;
  private final ContextFeaturizer featurizer;
  private final LogisticRegression model;
  private final Map<String, Double> taskMean;
  private final double overallMean;
  private final Map<String, Double> outOfFold;
  private static final int MEMO_LIMIT = 50_000;
  private final Map<TextAndTask, Double> estimates = new ConcurrentHashMap<>();

  private QueryDifficulty(ContextFeaturizer featurizer, LogisticRegression model, Map<String, Double> taskMean,
      double overallMean, Map<String, Double> outOfFold) {
    this.featurizer = featurizer;
    this.model = model;
    this.taskMean = Map.copyOf(taskMean);
    this.overallMean = overallMean;
    this.outOfFold = Map.copyOf(outOfFold);
  }

  /**
   * Fits on every training query, and {@code folds} cross-fitted models for {@link #outOfFold} (fold of a query
   * drawn from {@code seed}).
   */
  public static QueryDifficulty fit(RecordedDataset train, ContextFeaturizer featurizer, double l2, int folds,
      long seed) {
    if (folds < 2) {
      throw new IllegalArgumentException("query difficulty needs folds >= 2, got " + folds);
    }
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("query difficulty needs l2 > 0, got " + l2);
    }
    List<RecordedQuery> qs = train.queries();
    if (qs.isEmpty() || train.models().isEmpty()) {
      throw new IllegalArgumentException("query difficulty needs training queries and models, got "
          + qs.size() + " queries and " + train.models().size() + " models");
    }
    int n = qs.size();
    double[][] x = new double[n][];
    double[] y = new double[n];
    Map<String, double[]> sums = new HashMap<>();
    double total = 0;
    for (int i = 0; i < n; i++) {
      RecordedQuery q = qs.get(i);
      x[i] = featurizer.features(q.prompt(), q.task());
      double s = 0;
      for (String m : train.models()) {
        s += q.outcome(m).score();
      }
      y[i] = Math.min(1, Math.max(0, s / train.models().size()));
      total += y[i];
      double[] acc = sums.computeIfAbsent(q.task() == null ? "" : q.task(), k -> new double[2]);
      acc[0] += y[i];
      acc[1] += 1;
    }
    Map<String, Double> taskMean = new HashMap<>();
    sums.forEach((t, acc) -> taskMean.put(t, acc[0] / acc[1]));
    LogisticRegression all = LogisticRegression.fitWithIntercept(x, y, LogisticRegression.ones(n), l2);
    Random rnd = new Random(seed);
    int[] fold = new int[n];
    for (int i = 0; i < n; i++) {
      fold[i] = rnd.nextInt(folds);
    }
    Map<String, Double> oof = new HashMap<>();
    for (int k = 0; k < folds; k++) {
      double[] w = new double[n];
      for (int i = 0; i < n; i++) {
        w[i] = fold[i] == k ? 0 : 1;
      }
      LogisticRegression part = LogisticRegression.fitWithIntercept(x, y, w, l2);
      for (int i = 0; i < n; i++) {
        if (fold[i] == k) {
          oof.put(qs.get(i).id(), part.probability(x[i]));
        }
      }
    }
    return new QueryDifficulty(featurizer, all, taskMean, total / n, oof);
  }

  /** 5 folds, L2 penalty 1, the standard context featurizer. */
  public static QueryDifficulty fit(RecordedDataset train, long seed) {
    return fit(train, ContextFeaturizer.standard(), 1.0, 5, seed);
  }

  /**
   * {@code d(x)}: the estimated share of models that answer this query correctly. Memoised (a pure function of
   * text and task): every round of a query and every point of a trade-off sweep asks it again.
   */
  public double estimate(String text, String task) {
    TextAndTask key = TextAndTask.of(text, task);
    Double hit = estimates.get(key);
    if (hit != null) {
      return hit;
    }
    double d = model.probability(featurizer.features(text, task));
    if (estimates.size() >= MEMO_LIMIT) {
      estimates.clear();
    }
    estimates.put(key, d);
    return d;
  }

  /** The cross-fitted estimate of a training query, or the full model's estimate for any other query. */
  public double outOfFold(RecordedQuery q) {
    Double d = outOfFold.get(q.id());
    return d != null ? d : estimate(q.prompt(), q.task());
  }

  /** The average model's training accuracy on {@code task} (all tasks pooled for an unseen task). */
  public double taskMean(String task) {
    return taskMean.getOrDefault(task == null ? "" : task, overallMean);
  }

  /** Rasch-style correctness of a model of task quality {@code quality} on a query of difficulty {@code d}. */
  public double modelCorrectness(double quality, double d, String task) {
    return LogisticRegression.sigmoid(logit(quality) + logit(d) - logit(taskMean(task)));
  }

  private static double logit(double p) {
    double c = Math.min(1 - EPS, Math.max(EPS, p));
    return Math.log(c / (1 - c));
  }
}
