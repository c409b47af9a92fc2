package dev.switchyard.strategies.bandit;

import dev.switchyard.strategies.features.HashedNgramFeaturizer;
import dev.switchyard.strategies.features.LexicalCues;
import java.util.Locale;

/**
 * The context vector of contextual learners: lexical difficulty cues (with a bias term), hashed word n-grams
 * and a hashed one-hot of the task hint. Needs no fitting, so a learner starting cold and a learner restored
 * from a snapshot featurize identically.
 */
public final class ContextFeaturizer {
  /**
   * Salt of the task hash: with 16 buckets it keeps the five tasks of the shared recorded data in distinct
   * buckets (String.hashCode puts medmcqa and truthfulqa together). Any other task set may collide; a
   * collision only merges two tasks' context, it does not break anything.
   */
  private static final long TASK_SALT = 2;

  private final LexicalCues cues = new LexicalCues();
  private final HashedNgramFeaturizer ngrams;
  private final int ngramDims;
  private final int taskBuckets;

  public ContextFeaturizer(int ngramDims, int taskBuckets) {
    if (ngramDims < 0 || taskBuckets < 0) {
      throw new IllegalArgumentException("dimensions must be >= 0, got ngrams=" + ngramDims + " tasks="
          + taskBuckets);
    }
    this.ngramDims = ngramDims;
    this.taskBuckets = taskBuckets;
    this.ngrams = ngramDims >= 2 ? new HashedNgramFeaturizer(ngramDims) : null;
  }

  /** 16 n-gram buckets and 16 task buckets: small enough for per-arm matrices, enough to separate tasks. */
  public static ContextFeaturizer standard() {
    return new ContextFeaturizer(16, 16);
  }

  public int dimension() {
    return cues.dimension() + (ngrams == null ? 0 : ngramDims) + taskBuckets;
  }

  public double[] features(String text, String task) {
    String t = text == null ? "" : text;
    double[] out = new double[dimension()];
    String lower = t.toLowerCase(Locale.ROOT);
    double[] c = cues.features(t, lower);
    System.arraycopy(c, 0, out, 0, c.length);
    int at = c.length;
    if (ngrams != null) {
      double[] g = ngrams.featuresOfLowerCase(lower);
      System.arraycopy(g, 0, out, at, g.length);
      at += g.length;
    }
    if (taskBuckets > 0 && task != null) {
      out[at + (int) Math.floorMod(Seeds.mix(TASK_SALT, task), (long) taskBuckets)] = 1.0;
    }
    return out;
  }
}
