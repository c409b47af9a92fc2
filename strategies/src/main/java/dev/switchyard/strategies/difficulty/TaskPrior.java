package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.List;

/**
 * Each model's mean training score per task, and its mixture under a query's task weights (one-hot for a known
 * task, a soft assignment otherwise; see {@link QueryEncoder}).
 */
final class TaskPrior {
  private final double[][] means;

  private TaskPrior(double[][] means) {
    this.means = means;
  }

  /** {@code tasks} in the encoder's order. */
  static TaskPrior fit(TrainingSet set, List<String> tasks) {
    int models = set.models().size();
    double[][] sums = new double[tasks.size()][models];
    int[] counts = new int[tasks.size()];
    for (int i = 0; i < set.size(); i++) {
      int t = tasks.indexOf(set.queries().get(i).task());
      counts[t]++;
      for (int m = 0; m < models; m++) {
        sums[t][m] += set.scores()[i][m];
      }
    }
    for (int t = 0; t < tasks.size(); t++) {
      for (int m = 0; m < models; m++) {
        sums[t][m] = counts[t] == 0 ? 0 : sums[t][m] / counts[t];
      }
    }
    return new TaskPrior(sums);
  }

  double[] of(double[] taskWeights) {
    double[] p = new double[means[0].length];
    for (int t = 0; t < means.length; t++) {
      for (int m = 0; m < p.length; m++) {
        p[m] += taskWeights[t] * means[t][m];
      }
    }
    return p;
  }

  double mean(int task, int model) {
    return means[task][model];
  }
}
