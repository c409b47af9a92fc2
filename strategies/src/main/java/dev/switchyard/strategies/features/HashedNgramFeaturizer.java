package dev.switchyard.strategies.features;

import java.util.List;
import java.util.Locale;

/**
 * Bag of word unigrams and bigrams hashed into {@code dimension} buckets (the hashing trick, Weinberger et
 * al. 2009) with sub-linear term frequency, optional inverse document frequency learned by {@link #fit}, and
 * L2 normalisation, so that dot products are cosine similarities. Deterministic: the hash is
 * {@link String#hashCode()} of the token ({@link Tokens}).
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
      int[] counts = counts(d);
      for (int b = 0; b < dimension; b++) {
        if (counts[b] > 0) {
          df[b]++;
        }
      }
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
    int[] counts = counts(text);
    for (int b = 0; b < dimension; b++) {
      if (counts[b] > 0) {
        v[b] = (1 + Math.log(counts[b])) * idf[b];
      }
    }
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

  /**
   * Occurrences per bucket of the text's unigrams and bigrams. A bigram's hash is that of
   * {@code previous + ' ' + token}, composed from the two token hashes ({@code h(a + b) = h(a) 31^|b| + h(b)}), so
   * no string is built.
   */
  private int[] counts(String text) {
    int[] counts = new int[dimension];
    Tokens tokens = new Tokens(text.toLowerCase(Locale.ROOT));
    boolean first = true;
    int previousHash = 0;
    while (tokens.next()) {
      counts[bucket(tokens.hash())]++;
      if (!first) {
        int bigramHash = 31 * previousHash + ' ';
        for (int k = 0; k < tokens.length(); k++) {
          bigramHash *= 31;
        }
        counts[bucket(bigramHash + tokens.hash())]++;
      }
      first = false;
      previousHash = tokens.hash();
    }
    return counts;
  }

  private int bucket(int hash) {
    return Math.floorMod(hash, dimension);
  }
}
