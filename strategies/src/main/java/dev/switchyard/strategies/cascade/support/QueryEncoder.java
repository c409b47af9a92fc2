package dev.switchyard.strategies.cascade.support;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.features.HashedNgramFeaturizer;
import dev.switchyard.strategies.features.LexicalCues;
import dev.switchyard.strategies.plan.PlanState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Query features without a pretrained encoder: the lexical difficulty cues, a one-hot of the query's task
 * hint over the training tasks (all zeros for an unknown or absent task), and optionally hashed uni+bigram
 * TF-IDF with document frequencies from the training prompts. A real sentence encoder would replace the
 * n-gram block. Encodings are memoised (a pure function of text and task), and the returned arrays must not
 * be modified.
 */
public final class QueryEncoder {
  private static final int CACHE_LIMIT = 50_000;
  private final LexicalCues cues = new LexicalCues();
  private final List<String> tasks;
  private final HashedNgramFeaturizer ngrams;
  private final double ngramWeight;
  private final Map<String, double[]> cache = new ConcurrentHashMap<>();

  private QueryEncoder(List<String> tasks, HashedNgramFeaturizer ngrams, double ngramWeight) {
    this.tasks = List.copyOf(tasks);
    this.ngrams = ngrams;
    this.ngramWeight = ngramWeight;
  }

  /**
   * @param ngramDimension hashed n-gram buckets, 0 for none
   * @param ngramWeight scale of the (unit-norm) n-gram block relative to the cue and task blocks
   */
  public static QueryEncoder fit(RecordedDataset train, int ngramDimension, double ngramWeight) {
    if (ngramDimension < 0) {
      throw new IllegalArgumentException("ngramDimension must be >= 0, got " + ngramDimension);
    }
    HashedNgramFeaturizer ngrams = null;
    if (ngramDimension > 0) {
      ngrams = new HashedNgramFeaturizer(ngramDimension)
          .fit(train.queries().stream().map(RecordedQuery::prompt).toList());
    }
    return new QueryEncoder(train.tasks(), ngrams, ngramWeight);
  }

  public int dimension() {
    return cues.dimension() + tasks.size() + (ngrams == null ? 0 : ngrams.dimension());
  }

  public List<String> tasks() {
    return tasks;
  }

  public double[] encode(RecordedQuery q) {
    return encode(q.prompt(), q.task());
  }

  public double[] encode(PlanState state) {
    return encode(state.query().text(), state.query().task());
  }

  public double[] encode(String text, String task) {
    String key = (task == null ? "" : task) + '\u0000' + text;
    double[] hit = cache.get(key);
    if (hit != null) {
      return hit;
    }
    double[] v = new double[dimension()];
    double[] c = cues.features(text);
    System.arraycopy(c, 0, v, 0, c.length);
    int at = c.length;
    int t = task == null ? -1 : tasks.indexOf(task);
    if (t >= 0) {
      v[at + t] = 1.0;
    }
    at += tasks.size();
    if (ngrams != null) {
      double[] g = ngrams.features(text);
      for (int i = 0; i < g.length; i++) {
        v[at + i] = ngramWeight * g[i];
      }
    }
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(key, v);
    return v;
  }

  /** Index of the task in the one-hot block, -1 if unknown. */
  public int taskIndex(String task) {
    return task == null ? -1 : tasks.indexOf(task);
  }
}
