package dev.switchyard.strategies.ml;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.features.HashedNgramFeaturizer;
import dev.switchyard.strategies.features.LexicalCues;
import dev.switchyard.strategies.plan.PlanState;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The library's one view of a query without a pretrained encoder (a real sentence encoder would replace the
 * n-gram block): a hashed uni+bigram TF-IDF vector (idf learned on the training prompts) for similarity, and a
 * feature vector {@code [tfidf, lexical cues (with a bias), task weights]} for learned predictors and k-means.
 * The task weights are one-hot when the query names a task seen in training (the {@code task} field is a
 * legitimate routing feature); otherwise a softmax over the cosine similarity to each training task's centroid,
 * so a query without a task still gets a soft task. Fitted with {@link #withoutNgrams} there is no TF-IDF block
 * (the cascades see cues and task only) and an unknown task is all zeros, there being no text vector to infer
 * it from. {@link #features} are memoised (a pure function of text and task); the arrays must not be modified.
 */
public final class QueryEncoder {
  /** Sharpness of the soft task assignment for queries without a known task. */
  private static final double TASK_TEMPERATURE = 0.05;
  private final HashedNgramFeaturizer tfidf;
  private final LexicalCues cues = new LexicalCues();
  private final List<String> tasks;
  private final double[][] taskCentroids;
  private static final int CACHE_LIMIT = 50_000;
  private final Map<TextAndTask, double[]> cache = new ConcurrentHashMap<>();

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

  /** Lexical cues and the task one-hot only, for predictors that should not see the words. */
  public static QueryEncoder withoutNgrams(RecordedDataset train) {
    return new QueryEncoder(null, train.tasks(), new double[train.tasks().size()][0]);
  }

  public Encoded encode(String text, String task) {
    // lower-cased once for both blocks: it was a copy of the text per block
    String lower = text.toLowerCase(Locale.ROOT);
    double[] v = tfidf == null ? new double[0] : tfidf.featuresOfLowerCase(lower);
    double[] taskWeights = taskWeights(v, task);
    double[] c = cues.features(text, lower);
    double[] features = new double[v.length + c.length + taskWeights.length];
    System.arraycopy(v, 0, features, 0, v.length);
    System.arraycopy(c, 0, features, v.length, c.length);
    System.arraycopy(taskWeights, 0, features, v.length + c.length, taskWeights.length);
    return new Encoded(text, task, v, features, taskWeights);
  }

  /** The feature vector {@link Encoded#features()} alone, memoised. */
  public double[] features(String text, String task) {
    TextAndTask key = TextAndTask.of(text, task);
    double[] hit = cache.get(key);
    if (hit != null) {
      return hit;
    }
    double[] v = encode(text, task).features();
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(key, v);
    return v;
  }

  public double[] features(RecordedQuery q) {
    return features(q.prompt(), q.task());
  }

  public double[] features(PlanState state) {
    return features(state.query().text(), state.query().task());
  }

  public List<String> tasks() {
    return tasks;
  }

  public int featureDimension() {
    return (tfidf == null ? 0 : tfidf.dimension()) + cues.dimension() + tasks.size();
  }

  /** The TF-IDF vector alone (e.g. of a policy description). */
  public double[] tfidf(String text) {
    return tfidf == null ? new double[0] : tfidf.features(text);
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
    if (tfidf == null) {
      return w;
    }
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
