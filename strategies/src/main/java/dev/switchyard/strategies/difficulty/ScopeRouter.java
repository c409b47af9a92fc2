package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.bandit.Arms;
import dev.switchyard.strategies.bandit.ContextFeaturizer;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.planner.ResponseSignals;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * SCOPE-style routing: a learned estimator of each model's correctness and cost on a query, and a rule-based
 * choice under a user-set accuracy-cost trade-off (the estimate-then-decide design of "SCOPE", 2025; the
 * same split as the survey's "predictive routers", Moslem &amp; Kelleher arXiv 2603.04445 §5).
 *
 * <p>Correctness: per model an L2-regularised logistic regression {@code p_m(x) = sigmoid(w_m . x)} on the
 * query context, fitted by Newton-Raphson (IRLS), {@code w <- w + (X^T W X + rI)^-1 (X^T (y - p) - r w)},
 * solved with EJML. Cost: per model and task the mean training cost. Choice at trade-off {@code lambda}:
 * {@code argmax_m p_m(x) - lambda * cost_m(task) / costScale}. A model without an estimator (added later)
 * uses its card's prior task quality and mean cost.
 */
public final class ScopeRouter implements Strategy {
  private static final double[] TRADEOFFS = {0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10};
  private final ContextFeaturizer featurizer = ContextFeaturizer.standard();
  private final double l2;
  private final Map<String, double[]> weights = new HashMap<>();
  private final Map<String, Double> costByModelTask = new HashMap<>();
  private double costScale = 1;

  public ScopeRouter(double l2) {
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("L2 penalty must be > 0, got " + l2);
    }
    this.l2 = l2;
  }

  public ScopeRouter() {
    this(1.0);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("scope", "SCOPE-style estimate-then-decide routing (2025); Moslem & Kelleher,"
        + " arXiv 2603.04445 §5",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "correctness estimator is logistic regression on lexical cues + hashed n-grams + task, not a fine-tuned"
            + " LLM; cost estimator is the per-task mean training cost");
  }

  @Override
  public synchronized void fit(RecordedDataset train, StrategyContext context) {
    List<RecordedQuery> qs = train.queries();
    int d = featurizer.dimension();
    DMatrixRMaj x = new DMatrixRMaj(qs.size(), d);
    for (int i = 0; i < qs.size(); i++) {
      double[] f = featurizer.features(qs.get(i).prompt(), qs.get(i).task());
      for (int j = 0; j < d; j++) {
        x.set(i, j, f[j]);
      }
    }
    double maxCost = 0;
    for (String m : train.models()) {
      double[] y = qs.stream().mapToDouble(q -> q.outcome(m).score()).toArray();
      weights.put(m, logistic(x, y));
      for (String task : train.tasks()) {
        double c = qs.stream().filter(q -> q.task().equals(task)).mapToDouble(q -> q.outcome(m).costUsd())
            .average().orElse(train.meanCost(m));
        costByModelTask.put(m + "\u0000" + task, c);
      }
      costByModelTask.put(m + "\u0000", train.meanCost(m));
      maxCost = Math.max(maxCost, train.meanCost(m));
    }
    costScale = maxCost > 0 ? maxCost : 1;
  }

  private double[] logistic(DMatrixRMaj x, double[] y) {
    int n = x.numRows;
    int d = x.numCols;
    DMatrixRMaj w = new DMatrixRMaj(d, 1);
    DMatrixRMaj h = new DMatrixRMaj(d, d);
    DMatrixRMaj g = new DMatrixRMaj(d, 1);
    DMatrixRMaj step = new DMatrixRMaj(d, 1);
    for (int iter = 0; iter < 25; iter++) {
      h.zero();
      g.zero();
      for (int i = 0; i < n; i++) {
        double z = 0;
        for (int j = 0; j < d; j++) {
          z += x.get(i, j) * w.get(j, 0);
        }
        double p = 1 / (1 + Math.exp(-z));
        double wi = p * (1 - p);
        for (int j = 0; j < d; j++) {
          double xij = x.get(i, j);
          if (xij == 0) {
            continue;
          }
          g.add(j, 0, (y[i] - p) * xij);
          for (int k = 0; k < d; k++) {
            h.add(j, k, wi * xij * x.get(i, k));
          }
        }
      }
      for (int j = 0; j < d; j++) {
        h.add(j, j, l2);
        g.add(j, 0, -l2 * w.get(j, 0));
      }
      if (!CommonOps_DDRM.solve(h, g, step)) {
        break;
      }
      CommonOps_DDRM.addEquals(w, step);
      if (CommonOps_DDRM.elementMaxAbs(step) < 1e-8) {
        break;
      }
    }
    return w.getData().clone();
  }

  /** Estimated probability that {@code model} answers correctly. */
  public double correctness(String model, String text, String task, ModelCard card) {
    return correctness(model, featurizer.features(text, task), task, card);
  }

  private synchronized double correctness(String model, double[] f, String task, ModelCard card) {
    double[] w = weights.get(model);
    if (w == null) {
      return card == null ? 0.5 : ResponseSignals.quality(card, task);
    }
    double z = 0;
    for (int j = 0; j < f.length; j++) {
      z += w[j] * f[j];
    }
    return 1 / (1 + Math.exp(-z));
  }

  /** Estimated cost in USD. */
  public synchronized double cost(String model, String task, ModelCard card) {
    Double c = costByModelTask.get(model + "\u0000" + (task == null ? "" : task));
    if (c == null) {
      c = costByModelTask.get(model + "\u0000");
    }
    if (c == null) {
      return card == null ? 0 : card.descriptor("mean_cost_usd", card.priceUsd(150, 15));
    }
    return c;
  }

  @Override
  public double[] tradeoffs() {
    return TRADEOFFS.clone();
  }

  @Override
  public Planner planner(double tradeoff) {
    if (weights.isEmpty()) {
      throw new IllegalStateException("scope: fit() must run before planner()");
    }
    if (tradeoff < 0) {
      throw new IllegalArgumentException("scope trade-off is a cost weight >= 0, got " + tradeoff);
    }
    double scale = costScale;
    return ThreeStagePipeline.routeOnly(state -> {
      String task = state.query().task();
      double[] x = featurizer.features(state.query().text(), task);
      return Arms.rank(Arms.available(state), m -> {
        ModelCard card = state.card(m).orElse(null);
        return correctness(m, x, task, card) - tradeoff * cost(m, task, card) / scale;
      }, "scope lambda=" + tradeoff);
    });
  }
}
