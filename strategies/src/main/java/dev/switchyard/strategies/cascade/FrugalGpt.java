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
import dev.switchyard.strategies.cascade.support.ResponseFeatures;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * FrugalGPT's LLM cascade (Chen, Zaharia &amp; Zou, "FrugalGPT: How to Use Large Language Models While
 * Reducing Cost and Improving Performance", arXiv 2305.05176).
 *
 * <p>A scoring function {@code g(q, a) in [0, 1]} estimates the reliability of answer {@code a} to query
 * {@code q}; a cascade {@code L = (m_1, ..., m_k)} with thresholds {@code tau_1..tau_{k-1}} returns the first
 * answer with {@code g >= tau_i} (the stop judge), else the last model's. The list and thresholds solve
 * {@code max E[quality] s.t. E[cost] <= b} on the training split: every cost-ordered list of at most
 * {@code maxLength} models, each stage's threshold from a quantile grid of its scores, evaluated exactly on
 * train with out-of-fold scores (2-fold cross-fitting, so the search does not trust over-fitted scores). The
 * budget {@code b}, as a fraction of the best single model's mean cost, is the trade-off.
 */
public final class FrugalGpt implements Strategy {
  private static final double L2 = 1.0;
  private static final double[] QUANTILES = {0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95};
  private final int maxLength;
  private ResponseFeatures features;
  private final Map<String, LogisticRegression> scorers = new HashMap<>();
  private final List<Config> configs = new ArrayList<>();
  private double referenceCost = 1;

  /** A searched cascade and its training quality and cost. */
  public record Config(List<String> models, double[] thresholds, double quality, double cost) {
    public Config {
      models = List.copyOf(models);
      thresholds = thresholds.clone();
    }

    public double threshold(String model) {
      int i = models.indexOf(model);
      return i < 0 || i >= thresholds.length ? Double.NEGATIVE_INFINITY : thresholds[i];
    }
  }

  public FrugalGpt() {
    this(3);
  }

  public FrugalGpt(int maxLength) {
    if (maxLength < 1 || maxLength > 3) {
      throw new IllegalArgumentException("maxLength must be 1..3 (the search is exhaustive), got " + maxLength);
    }
    this.maxLength = maxLength;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("frugalgpt",
        "Chen, Zaharia & Zou, FrugalGPT, arXiv 2305.05176",
        Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.RESPONSE, Signal.MODEL_METADATA),
        "the DistilBERT scorer is replaced by a per-model logistic scorer over query cues, task hint, answer "
            + "shape and calibrated confidence; lists restricted to increasing mean cost; threshold grid of score "
            + "quantiles; out-of-fold scores for the search");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    ModelStats stats = ModelStats.of(train);
    referenceCost = stats.cost(stats.best());
    features = new ResponseFeatures(QueryEncoder.withoutNgrams(train), CalibratedConfidence.fit(train));
    List<RecordedQuery> qs = train.queries();
    List<String> models = train.models();
    int n = qs.size();
    // Out-of-fold scores for the search.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(context.seed()));
    int[] fold = new int[n];
    for (int r = 0; r < n; r++) {
      fold[order.get(r)] = r % 2;
    }
    double[][] score = new double[models.size()][n];
    double[][] quality = new double[models.size()][n];
    double[][] cost = new double[models.size()][n];
    scorers.clear();
    for (int m = 0; m < models.size(); m++) {
      String id = models.get(m);
      double[][] x = new double[n][];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = features.of(qs.get(i), id);
        y[i] = qs.get(i).outcome(id).score();
        quality[m][i] = y[i];
        cost[m][i] = qs.get(i).outcome(id).costUsd();
      }
      scorers.put(id, LogisticRegression.fitAddingIntercept(x, y, L2));
      if (n >= 4) {
        for (int f = 0; f < 2; f++) {
          final int held = f;
          int[] in = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] != held).toArray();
          LogisticRegression partial = LogisticRegression.fitAddingIntercept(Arrays.stream(in).mapToObj(i -> x[i]).toArray(double[][]::new),
              Arrays.stream(in).mapToDouble(i -> y[i]).toArray(), L2);
          for (int i = 0; i < n; i++) {
            if (fold[i] == held) {
              score[m][i] = partial.probability(x[i]);
            }
          }
        }
      } else {
        for (int i = 0; i < n; i++) {
          score[m][i] = scorers.get(id).probability(x[i]);
        }
      }
    }
    search(models, stats, score, quality, cost);
  }

  private void search(List<String> models, ModelStats stats, double[][] score, double[][] quality,
      double[][] cost) {
    configs.clear();
    List<Integer> byCost = new ArrayList<>();
    for (int m = 0; m < models.size(); m++) {
      byCost.add(m);
    }
    byCost.sort(Comparator.comparingDouble(m -> stats.cost(models.get(m))));
    double[][] grid = new double[models.size()][];
    for (int m = 0; m < models.size(); m++) {
      double[] sorted = score[m].clone();
      Arrays.sort(sorted);
      grid[m] = Arrays.stream(QUANTILES).map(p -> sorted[(int) Math.min(sorted.length - 1, p * sorted.length)])
          .distinct().toArray();
    }
    List<int[]> lists = new ArrayList<>();
    int k = byCost.size();
    for (int a = 0; a < k; a++) {
      lists.add(new int[] {byCost.get(a)});
      for (int b = a + 1; b < k && maxLength >= 2; b++) {
        lists.add(new int[] {byCost.get(a), byCost.get(b)});
        for (int c = b + 1; c < k && maxLength >= 3; c++) {
          lists.add(new int[] {byCost.get(a), byCost.get(b), byCost.get(c)});
        }
      }
    }
    int n = score[0].length;
    for (int[] list : lists) {
      int stages = list.length - 1;
      int[] idx = new int[stages];
      while (true) {
        double[] tau = new double[stages];
        for (int s = 0; s < stages; s++) {
          tau[s] = grid[list[s]][idx[s]];
        }
        double q = 0;
        double c = 0;
        for (int i = 0; i < n; i++) {
          for (int s = 0; s < list.length; s++) {
            int m = list[s];
            c += cost[m][i];
            if (s == stages || score[m][i] >= tau[s]) {
              q += quality[m][i];
              break;
            }
          }
        }
        List<String> ids = Arrays.stream(list).mapToObj(models::get).toList();
        configs.add(new Config(ids, tau, q / n, c / n));
        int s = 0;
        while (s < stages && ++idx[s] == grid[list[s]].length) {
          idx[s] = 0;
          s++;
        }
        if (s == stages) {
          break;
        }
      }
    }
  }

  /** The searched cascade with the best training quality whose training mean cost fits the budget. */
  public Config configFor(double budgetFraction) {
    if (configs.isEmpty()) {
      throw new IllegalStateException("frugalgpt: fit() must run first");
    }
    double budget = budgetFraction * referenceCost;
    return configs.stream().filter(c -> c.cost() <= budget)
        .max(Comparator.comparingDouble(Config::quality).thenComparing(Comparator.comparingDouble(Config::cost)
            .reversed()))
        .orElseGet(() -> configs.stream().min(Comparator.comparingDouble(Config::cost)).orElseThrow());
  }

  /** The scorer's reliability estimate {@code g(q, a)} for a response. */
  public double score(PlanState state, Response response) {
    LogisticRegression scorer = scorers.get(response.modelId());
    if (scorer == null) {
      return 0;
    }
    return scorer.probability(features.of(features.encoder().features(state), AnswerSignal.of(response)));
  }

  /** Budgets as fractions of the best single model's mean training cost. */
  @Override
  public double[] tradeoffs() {
    return new double[] {0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.65, 0.8, 1.0, 1.3};
  }

  @Override
  public Planner planner(double budgetFraction) {
    if (!(budgetFraction > 0)) {
      throw new IllegalArgumentException("budget fraction must be > 0, got " + budgetFraction);
    }
    Config config = configFor(budgetFraction);
    RouteDecision route = new RouteDecision(config.models(), Double.NaN, "frugalgpt list");
    return new ThreeStagePipeline(
        state -> new RouteDecision(dev.switchyard.strategies.cascade.support.ModelStats.deployed(route.ranking(),
            state), Double.NaN, route.reason()),
        this::score,
        (state, g, r) -> {
          String model = state.lastResponse().orElseThrow().modelId();
          if (g >= config.threshold(model)) {
            return Escalation.accept();
          }
          return r.ranking().stream().filter(m -> !state.tried(m)).findFirst()
              .<Escalation>map(Escalation.EscalateTo::new).orElse(Escalation.accept());
        });
  }
}
