package dev.switchyard.strategies.features;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Bag of word unigrams and bigrams hashed into {@code dimension} buckets (the hashing trick, Weinberger et
 * al. 2009) with sub-linear term frequency, optional inverse document frequency learned by {@link #fit}, and
 * L2 normalisation, so that dot products are cosine similarities. Deterministic: the hash is
 * {@link String#hashCode()} of the token.
 */
public final class HashedNgramFeaturizer implements Featurizer {
  private final int dimension;
  private final double[] idf;

  public HashedNgramFeaturizer(int dimension) {
    if (dimension < 2) {
      throw new IllegalArgumentException("dimension must be >= 2, got " + dimension);
    }
    this.dimension = dimension;
    this.idf = new double[dimension];
    java.util.Arrays.fill(idf, 1.0);
  }

  /** Learns inverse document frequencies per bucket: idf = ln((1 + n) / (1 + df)) + 1. */
  public HashedNgramFeaturizer fit(List<String> documents) {
    int[] df = new int[dimension];
    for (String d : documents) {
      counts(d).keySet().forEach(b -> df[b]++);
    }
    for (int i = 0; i < dimension; i++) {
      idf[i] = Math.log((1.0 + documents.size()) / (1.0 + df[i])) + 1.0;
    }
    return this;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public double[] features(String text) {
    double[] v = new double[dimension];
    counts(text).forEach((bucket, count) -> v[bucket] = (1 + Math.log(count)) * idf[bucket]);
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    if (norm > 0) {
      norm = Math.sqrt(norm);
      for (int i = 0; i < dimension; i++) {
        v[i] /= norm;
      }
    }
    return v;
  }

  private Map<Integer, Integer> counts(String text) {
    String[] tokens = tokenize(text);
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 0; i < tokens.length; i++) {
      counts.merge(bucket(tokens[i]), 1, Integer::sum);
      if (i > 0) {
        counts.merge(bucket(tokens[i - 1] + ' ' + tokens[i]), 1, Integer::sum);
      }
    }
    return counts;
  }

  private int bucket(String token) {
    return Math.floorMod(token.hashCode(), dimension);
  }

  static String[] tokenize(String text) {
    String t = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
    return t.isEmpty() ? new String[0] : t.split(" ");
  }
}
