package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.List;

/**
 * The training split encoded once for every learner of a router: per query its encoding and its recorded score
 * and cost per model (in the dataset's model order).
 */
public record TrainingSet(List<String> models, List<QueryEncoder.Encoded> queries, double[][] scores,
    double[][] costs) {

  public static TrainingSet of(RecordedDataset train, QueryEncoder encoder) {
    List<String> models = train.models();
    int n = train.size();
    double[][] scores = new double[n][models.size()];
    double[][] costs = new double[n][models.size()];
    for (int i = 0; i < n; i++) {
      RecordedQuery q = train.queries().get(i);
      for (int m = 0; m < models.size(); m++) {
        scores[i][m] = q.outcome(models.get(m)).score();
        costs[i][m] = q.outcome(models.get(m)).costUsd();
      }
    }
    List<QueryEncoder.Encoded> encoded = train.queries().stream().map(q -> encoder.encode(q.prompt(), q.task()))
        .toList();
    return new TrainingSet(models, encoded, scores, costs);
  }

  public int size() {
    return queries.size();
  }

  public double[][] featureMatrix() {
    return queries.stream().map(QueryEncoder.Encoded::features).toArray(double[][]::new);
  }

  public List<double[]> tfidfRows() {
    return queries.stream().map(QueryEncoder.Encoded::tfidf).toList();
  }

  public double[] scoreColumn(int model) {
    double[] y = new double[size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = scores[i][model];
    }
    return y;
  }

  public double meanScore(int model) {
    return java.util.Arrays.stream(scoreColumn(model)).average().orElse(Double.NaN);
  }

  /** Mean score of a model over the training queries of one task (NaN if the task has none). */
  public double meanScore(int model, String task) {
    double s = 0;
    int count = 0;
    for (int i = 0; i < size(); i++) {
      if (queries.get(i).task().equals(task)) {
        s += scores[i][model];
        count++;
      }
    }
    return count == 0 ? Double.NaN : s / count;
  }

  public int modelIndex(String model) {
    int i = models.indexOf(model);
    if (i < 0) {
      throw new IllegalArgumentException("unknown model " + model + "; known: " + models);
    }
    return i;
  }
}
