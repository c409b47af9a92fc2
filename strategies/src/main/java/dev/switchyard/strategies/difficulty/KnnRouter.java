package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.AgreementCascade;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.features.HashedNgramFeaturizer;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reference router "kNN (25 neighbours, bag of words)": the k training queries most similar to the query
 * (cosine of hashed uni+bigram TF-IDF vectors) estimate each model's quality and cost as their means, and the
 * model maximising {@code q_hat - lambda * c_hat / c_ref} answers. The kNN router is the strong simple baseline
 * of Hu et al. (RouterBench, arXiv 2403.12031) and of Shnitzer et al. ("Large Language Model Routing with
 * Benchmark Datasets", arXiv 2309.15789). Neighbour estimates are memoised per query text (a bounded cache), so
 * sweeping the trade-off does not repeat the search; planners stay pure functions of their state.
 */
public final class KnnRouter implements Strategy {
  private static final int DIMENSION = 1 << 15;
  private static final int CACHE_SIZE = 20_000;
  private final int k;
  private HashedNgramFeaturizer featurizer;
  private List<RecordedQuery> train = List.of();
  private int[][] index;
  private double[][] value;
  private List<String> models = List.of();
  private double costScale = 1;
  /** A memo, not fitted state: transient, so a policy artifact does not carry it; made again on first use. */
  private transient Map<String, double[][]> cache;

  public KnnRouter(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.k = k;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("baseline-knn" + k, "Hu et al., RouterBench, arXiv 2403.12031; Shnitzer et al., arXiv 2309.15789",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "reference row of issue 3: hashed bag of uni+bigrams (TF-IDF) instead of a sentence encoder");
  }

  @Override
  public void fit(RecordedDataset data, StrategyContext context) {
    models = List.copyOf(data.models());
    costScale = models.stream().mapToDouble(data::meanCost).max().orElse(1.0);
    costScale = costScale > 0 ? costScale : 1.0;
    train = data.queries();
    featurizer = new HashedNgramFeaturizer(DIMENSION).fit(train.stream().map(RecordedQuery::prompt).toList());
    index = new int[train.size()][];
    value = new double[train.size()][];
    for (int i = 0; i < train.size(); i++) {
      double[] v = featurizer.features(train.get(i).prompt());
      int nnz = 0;
      for (double x : v) {
        nnz += x != 0 ? 1 : 0;
      }
      index[i] = new int[nnz];
      value[i] = new double[nnz];
      for (int j = 0, at = 0; j < v.length; j++) {
        if (v[j] != 0) {
          index[i][at] = j;
          value[i][at++] = v[j];
        }
      }
    }
    cache().clear();
  }

  /** Per model, the neighbours' mean score ({@code [0]}) and mean cost ({@code [1]}). */
  double[][] estimates(String text) {
    if (featurizer == null) {
      throw new IllegalStateException("baseline-knn: fit() must run before planner()");
    }
    return cache().computeIfAbsent(text, t -> {
      double[] q = featurizer.features(t);
      double[] sim = new double[train.size()];
      Integer[] order = new Integer[train.size()];
      for (int i = 0; i < sim.length; i++) {
        double s = 0;
        for (int j = 0; j < index[i].length; j++) {
          s += q[index[i][j]] * value[i][j];
        }
        sim[i] = s;
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> sim[a] != sim[b] ? Double.compare(sim[b], sim[a]) : Integer.compare(a, b));
      int n = Math.min(k, order.length);
      double[][] est = new double[2][models.size()];
      for (int r = 0; r < n; r++) {
        RecordedQuery nb = train.get(order[r]);
        for (int m = 0; m < models.size(); m++) {
          est[0][m] += nb.outcome(models.get(m)).score() / n;
          est[1][m] += nb.outcome(models.get(m)).costUsd() / n;
        }
      }
      return est;
    });
  }

  /** 0 and 40 log-spaced cost weights from 1e-3 to 1e3. */
  @Override
  public double[] tradeoffs() {
    return AgreementCascade.lambdaGrid(40);
  }

  @Override
  public Planner planner(double lambda) {
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException("baseline-knn: cost weight must be >= 0, got " + lambda);
    }
    return state -> {
      if (state.responses().isEmpty()) {
        double[][] est = estimates(state.query().text());
        int best = -1;
        double bestUtility = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < models.size(); m++) {
          if (state.tried(models.get(m))) {
            continue;
          }
          double u = est[0][m] - lambda * est[1][m] / costScale;
          if (u > bestUtility + 1e-12 || (best >= 0 && Math.abs(u - bestUtility) <= 1e-12 && est[1][m] < est[1][best])) {
            best = m;
            bestUtility = u;
          }
        }
        if (best < 0 || state.budgetExhausted()) {
          return new PlanAction.Abstain("no model left to try", List.of());
        }
        String model = models.get(best);
        List<Decision> trace = new ArrayList<>();
        trace.add(Decision.of(Stage.PRE_ROUTE, model, "knn" + k, est[0][best]));
        return PlanAction.Route.to(model, trace);
      }
      var r = state.lastResponse().orElseThrow();
      return new PlanAction.Answer(r.text(), r.modelId(), List.of(Decision.of(Stage.ANSWER, r.modelId(), "accept",
          Double.NaN)));
    };
  }

  private synchronized Map<String, double[][]> cache() {
    if (cache == null) {
      cache = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[][]> eldest) {
          return size() > CACHE_SIZE;
        }
      });
    }
    return cache;
  }
}
