package dev.switchyard.strategies.routers;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.features.HashedNgramFeaturizer;
import dev.switchyard.strategies.features.LexicalCues;
import java.util.List;

/**
 * The routers' view of a query without a pretrained encoder: a hashed uni+bigram TF-IDF vector (idf learned on
 * the training prompts) for similarity, and a feature vector {@code [tfidf, lexical cues (with a bias), task
 * weights]} for learned predictors. The task weights are one-hot when the query names a task seen in training
 * (the {@code task} field is a legitimate routing feature); otherwise a softmax over the cosine similarity to
 * each training task's centroid, so a query without a task still gets a soft task.
 */
public final class QueryEncoder {
  /** Sharpness of the soft task assignment for queries without a known task. */
  private static final double TASK_TEMPERATURE = 0.05;
  private final HashedNgramFeaturizer tfidf;
  private final LexicalCues cues = new LexicalCues();
  private final List<String> tasks;
  private final double[][] taskCentroids;

  /** A query as the routers see it. */
  public record Encoded(String text, String task, double[] tfidf, double[] features, double[] taskWeights) {}

  private QueryEncoder(HashedNgramFeaturizer tfidf, List<String> tasks, double[][] taskCentroids) {
    this.tfidf = tfidf;
    this.tasks = tasks;
    this.taskCentroids = taskCentroids;
  }

  public static QueryEncoder fit(RecordedDataset train, int hashDimension) {
    if (train.size() == 0) {
      throw new IllegalArgumentException("cannot fit a query encoder on an empty training split");
    }
    HashedNgramFeaturizer tfidf = new HashedNgramFeaturizer(hashDimension)
        .fit(train.queries().stream().map(RecordedQuery::prompt).toList());
    List<String> tasks = train.tasks();
    double[][] centroids = new double[tasks.size()][hashDimension];
    for (RecordedQuery q : train.queries()) {
      double[] v = tfidf.features(q.prompt());
      double[] c = centroids[tasks.indexOf(q.task())];
      for (int j = 0; j < v.length; j++) {
        c[j] += v[j];
      }
    }
    for (double[] c : centroids) {
      normalise(c);
    }
    return new QueryEncoder(tfidf, tasks, centroids);
  }

  public Encoded encode(String text, String task) {
    double[] v = tfidf.features(text);
    double[] taskWeights = taskWeights(v, task);
    double[] c = cues.features(text);
    double[] features = new double[v.length + c.length + taskWeights.length];
    System.arraycopy(v, 0, features, 0, v.length);
    System.arraycopy(c, 0, features, v.length, c.length);
    System.arraycopy(taskWeights, 0, features, v.length + c.length, taskWeights.length);
    return new Encoded(text, task, v, features, taskWeights);
  }

  public List<String> tasks() {
    return tasks;
  }

  public int featureDimension() {
    return tfidf.dimension() + cues.dimension() + tasks.size();
  }

  /** The TF-IDF vector alone (e.g. of a policy description). */
  public double[] tfidf(String text) {
    return tfidf.features(text);
  }

  /** One-hot for a known task; a soft assignment by centroid similarity otherwise. */
  public double[] taskWeights(double[] tfidfVector, String task) {
    double[] w = new double[tasks.size()];
    int known = task == null ? -1 : tasks.indexOf(task);
    if (known >= 0) {
      w[known] = 1;
      return w;
    }
    return inferredTaskWeights(tfidfVector);
  }

  /** The soft task assignment from the text alone, ignoring any task field. */
  public double[] inferredTaskWeights(double[] tfidfVector) {
    double[] w = new double[tasks.size()];
    double max = Double.NEGATIVE_INFINITY;
    for (int t = 0; t < w.length; t++) {
      double s = 0;
      for (int j = 0; j < tfidfVector.length; j++) {
        s += tfidfVector[j] * taskCentroids[t][j];
      }
      w[t] = s / TASK_TEMPERATURE;
      max = Math.max(max, w[t]);
    }
    double sum = 0;
    for (int t = 0; t < w.length; t++) {
      w[t] = Math.exp(w[t] - max);
      sum += w[t];
    }
    for (int t = 0; t < w.length; t++) {
      w[t] /= sum;
    }
    return w;
  }

  private static void normalise(double[] v) {
    double n = 0;
    for (double x : v) {
      n += x * x;
    }
    n = Math.sqrt(n);
    if (n > 0) {
      for (int i = 0; i < v.length; i++) {
        v[i] /= n;
      }
    }
  }
}
