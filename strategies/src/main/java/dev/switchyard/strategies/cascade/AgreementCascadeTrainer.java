package dev.switchyard.strategies.cascade;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.pipeline.Aggregation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fits an {@link AgreementCascade} on a training split: per task group the calibrators, the stopping model of
 * every model set (with out-of-fold predictions from {@code folds}-fold cross-validation) and the table of
 * training quality and cost of every chain at every threshold, from which {@link FittedAgreementCascade} chooses
 * a policy per cost weight. The method and its formulas are in {@link AgreementCascade}. One trainer per fit;
 * the result shares nothing mutable with it.
 */
final class AgreementCascadeTrainer {
  private static final int MIN_GROUP = 60;
  private static final double CALIBRATION_L2 = 1e-2;

  private final Settings settings;
  private List<String> models = List.of();

  /** The method's settings, validated by {@link AgreementCascade.Builder}. */
  record Settings(String name, boolean useAgreement, int maxDepth, int folds, double l2,
      boolean shareStoppingModels) {}

  AgreementCascadeTrainer(Settings settings) {
    this.settings = settings;
  }

  FittedAgreementCascade fit(RecordedDataset train, long seed) {
    models = List.copyOf(train.models());
    if (models.size() > 30) {
      throw new IllegalArgumentException(settings.name() + ": at most 30 models are supported, got " + models.size());
    }
    double costScale = models.stream().mapToDouble(train::meanCost).max().orElse(1.0);
    if (!(costScale > 0)) {
      costScale = 1.0;
    }
    Map<String, FittedAgreementCascade.Group> groups = new HashMap<>();
    Map<String, List<RecordedQuery>> byTask = new LinkedHashMap<>();
    for (RecordedQuery q : train.queries()) {
      byTask.computeIfAbsent(q.task(), t -> new ArrayList<>()).add(q);
    }
    Random random = new Random(seed);
    groups.put(FittedAgreementCascade.POOLED, fitGroup(FittedAgreementCascade.POOLED, train.queries(), random));
    List<Prepared> parts = new ArrayList<>();
    for (var e : byTask.entrySet()) {
      if (e.getValue().size() >= MIN_GROUP) {
        parts.add(prepare(e.getKey(), e.getValue(), random));
      }
    }
    if (settings.shareStoppingModels() && parts.size() > 1) {
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
      groups.put(part.g().key, part.g().freeze());
    }
    return new FittedAgreementCascade(models, costScale, settings.useAgreement(), groups);
  }

  /** One group while it is being fitted. */
  private static final class Draft {
    final String key;
    final int[] order;
    final LogisticRegression[] calibrators;
    final double[] prior;
    final Map<Integer, LogisticRegression> stop = new HashMap<>();
    final List<int[]> chains = new ArrayList<>();
    final List<double[]> chainQuality = new ArrayList<>();
    final List<double[]> chainCost = new ArrayList<>();
    int taskIndex = -1;
    int taskCount;

    Draft(String key, int[] order, LogisticRegression[] calibrators, double[] prior) {
      this.key = key;
      this.order = order;
      this.calibrators = calibrators;
      this.prior = prior;
    }

    FittedAgreementCascade.Group freeze() {
      return new FittedAgreementCascade.Group(key, order, calibrators, prior, stop, chains, chainQuality, chainCost,
          taskIndex, taskCount);
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
        double[][] cx = xs.stream().map(FittedAgreementCascade::calibrationFeatures).toArray(double[][]::new);
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
    Draft g = new Draft(key, order, calibrators, prior);
    for (int i = 0; i < n; i++) {
      Map<String, Integer> ids = new HashMap<>();
      for (int j = 0; j < m; j++) {
        RecordedOutcome o = queries.get(i).outcome(models.get(j));
        p[i][j] = FittedAgreementCascade.calibrated(calibrators, prior, j, o.hasConfidence() ? o.confidence() : null);
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
      fold[perm[i]] = i % settings.folds();
    }
    List<int[]> subsets = new ArrayList<>();
    collectSubsets(order, 0, new int[0], subsets);
    return new Prepared(g, n, p, answer, score, cost, fold, subsets, new HashMap<>(), new HashMap<>(),
        new HashMap<>());
  }

  /** One group's training data, before its stopping models and chain table are fitted. */
  private record Prepared(Draft g, int n, double[][] p, int[][] answer, double[][] score, double[][] cost,
      int[] fold, List<int[]> subsets, Map<Integer, double[]> oof, Map<Integer, double[]> consensusScore,
      Map<Integer, double[]> subsetCost) {}

  private FittedAgreementCascade.Group fitGroup(String key, List<RecordedQuery> queries, Random random) {
    Prepared prepared = prepare(key, queries, random);
    fitStoppingModels(List.of(prepared));
    fillChainTable(prepared);
    return prepared.g().freeze();
  }

  /**
   * For every model set S: the consensus score and cost on each training query, and a stopping model fitted
   * on the union of the groups' queries (one group, or every task group with a task indicator), with its
   * out-of-fold predictions.
   */
  private void fitStoppingModels(List<Prepared> parts) {
    for (int[] canonical : parts.get(0).subsets()) {
      int mask = FittedAgreementCascade.mask(canonical);
      List<double[]> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      List<Integer> folds = new ArrayList<>();
      for (Prepared part : parts) {
        int[] subset = Arrays.stream(part.g().order).filter(j -> (mask & (1 << j)) != 0).toArray();
        double[] y = new double[part.n()];
        double[] c = new double[part.n()];
        for (int i = 0; i < part.n(); i++) {
          FittedAgreementCascade.Consensus cons = FittedAgreementCascade.consensus(settings.useAgreement(), subset, part.p()[i], part.answer()[i]);
          xs.add(FittedAgreementCascade.stopInputs(cons.features(), part.g().taskIndex, part.g().taskCount));
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
      for (int f = 0; f < settings.folds(); f++) {
        for (int i = 0; i < x.length; i++) {
          inFold[i] = folds.get(i) != f ? 1 : 0;
        }
        LogisticRegression lr = LogisticRegression.fitWithIntercept(x, y, inFold, settings.l2());
        for (int i = 0; i < x.length; i++) {
          if (folds.get(i) == f) {
            pred[i] = lr.probability(x[i]);
          }
        }
      }
      LogisticRegression finalModel = LogisticRegression.fitWithIntercept(x, y, LogisticRegression.ones(x.length), settings.l2());
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
    Draft g = part.g();
    int n = part.n();
    Map<Integer, double[]> oof = part.oof();
    Map<Integer, double[]> consensusScore = part.consensusScore();
    Map<Integer, double[]> subsetCost = part.subsetCost();
    for (int[] chain : part.subsets()) {
      double[] quality = new double[FittedAgreementCascade.TAUS.length];
      double[] spent = new double[FittedAgreementCascade.TAUS.length];
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
      for (int t = 0; t < FittedAgreementCascade.TAUS.length; t++) {
        double q = 0;
        double c = 0;
        for (int i = 0; i < n; i++) {
          int k = 0;
          while (k < chain.length - 1 && prefixP[k][i] < FittedAgreementCascade.TAUS[t]) {
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
      if (next.length < settings.maxDepth()) {
        collectSubsets(order, k + 1, next, out);
      }
    }
  }
}
