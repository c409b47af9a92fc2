package dev.switchyard.strategies.cascade;

import dev.switchyard.strategies.ml.LogisticRegression;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What an {@link AgreementCascade} learned on its training split, immutable and shared by every planner: per
 * task group (and the pooled group {@value #POOLED} for unseen tasks) the cost order of the models, their
 * confidence calibrators, the stopping model {@code P_S} of every model set S, and the training quality and
 * cost of every chain at every threshold; {@link #choose} picks the (chain, tau) that maximises
 * {@code quality - lambda * cost / c_ref} for a cost weight.
 */
final class FittedAgreementCascade {
  static final double[] TAUS = taus();
  static final String POOLED = "*";

  final List<String> models;
  final double costScale;
  final boolean useAgreement;
  private final Map<String, Group> groups;

  FittedAgreementCascade(List<String> models, double costScale, boolean useAgreement, Map<String, Group> groups) {
    this.models = List.copyOf(models);
    this.costScale = costScale;
    this.useAgreement = useAgreement;
    this.groups = Map.copyOf(groups);
  }

  /** Everything learned for one task group. */
  static final class Group {
    final String key;
    final int[] order;
    private final LogisticRegression[] calibrators;
    private final double[] prior;
    private final Map<Integer, LogisticRegression> stop;
    private final List<int[]> chains;
    private final List<double[]> chainQuality;
    private final List<double[]> chainCost;
    /** Position of this group's indicator in the shared stopping models' inputs; -1 when not shared. */
    private final int taskIndex;
    private final int taskCount;

    Group(String key, int[] order, LogisticRegression[] calibrators, double[] prior,
        Map<Integer, LogisticRegression> stop, List<int[]> chains, List<double[]> chainQuality,
        List<double[]> chainCost, int taskIndex, int taskCount) {
      this.key = key;
      this.order = order.clone();
      this.calibrators = calibrators.clone();
      this.prior = prior.clone();
      this.stop = Map.copyOf(stop);
      this.chains = List.copyOf(chains);
      this.chainQuality = List.copyOf(chainQuality);
      this.chainCost = List.copyOf(chainCost);
      this.taskIndex = taskIndex;
      this.taskCount = taskCount;
    }

    double probability(int model, Double rawConfidence) {
      return calibrated(calibrators, prior, model, rawConfidence);
    }

    /** {@code P_S} of the consensus of the answered set {@code answered}, or null without a stopping model. */
    Double stopProbability(int[] answered, double[] features) {
      LogisticRegression lr = stop.get(mask(answered));
      return lr == null ? null : lr.probability(stopInputs(features, taskIndex, taskCount));
    }
  }

  /** A calibrated confidence; the model's training accuracy when there is no usable signal or calibrator. */
  static double calibrated(LogisticRegression[] calibrators, double[] prior, int model, Double rawConfidence) {
    if (rawConfidence == null || !Double.isFinite(rawConfidence) || calibrators[model] == null) {
      return prior[model];
    }
    return calibrators[model].probability(calibrationFeatures(rawConfidence));
  }

  /** The stopping model's inputs: the consensus features, then the task indicator when models are shared. */
  static double[] stopInputs(double[] features, int taskIndex, int taskCount) {
    if (taskIndex < 0) {
      return features;
    }
    double[] x = Arrays.copyOf(features, features.length + taskCount);
    x[features.length + taskIndex] = 1;
    return x;
  }

  /** The group of a task; the pooled one for an unseen or absent task. */
  Group groupOf(String task) {
    return task != null && groups.containsKey(task) ? groups.get(task) : groups.get(POOLED);
  }

  Map<String, Group> groups() {
    return groups;
  }

  /** The cost weights of {@code grid} where some group's policy changes (the first of each run). */
  double[] tradeoffs(double[] grid) {
    List<Double> kept = new ArrayList<>();
    String previous = null;
    for (double lambda : grid) {
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
    Map<String, String> out = new java.util.TreeMap<>();
    groups.forEach((key, g) -> {
      Policy p = choose(g, lambda);
      out.put(key, String.format(java.util.Locale.ROOT, "%s tau=%.2f train q=%.4f cost=%.3e",
          chainNames(p.chain()), p.tau(), p.trainQuality(), p.trainCost()));
    });
    return out;
  }

  String chainNames(int[] chain) {
    StringBuilder sb = new StringBuilder();
    for (int j : chain) {
      sb.append(sb.length() == 0 ? "" : ">").append(models.get(j));
    }
    return sb.toString();
  }

  static int mask(int[] subset) {
    int mask = 0;
    for (int j : subset) {
      mask |= 1 << j;
    }
    return mask;
  }

  /** The consensus of the models {@code subset} (cost order) and the stopping model's features. */
  record Consensus(int credited, double[] features) {}

  static Consensus consensus(boolean useAgreement, int[] subset, double[] p, int[] answer) {
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

  static double logit(double p) {
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
}
