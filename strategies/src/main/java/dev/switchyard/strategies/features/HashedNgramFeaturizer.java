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
      int[] counts = lowerCaseCounts(d.toLowerCase(Locale.ROOT));
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
    return featuresOfLowerCase(text.toLowerCase(Locale.ROOT));
  }

  /**
   * {@link #features} of a text the caller has already lower-cased ({@code text.toLowerCase(Locale.ROOT)}), so
   * that the n-grams and the lexical cues of one query lower-case it once.
   */
  public double[] featuresOfLowerCase(String lower) {
    double[] v = new double[dimension];
    int[] counts = lowerCaseCounts(lower);
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
  private int[] lowerCaseCounts(String lower) {
    int[] counts = new int[dimension];
    Tokens tokens = new Tokens(lower);
    boolean first = true;
    int previousHash = 0;
    while (tokens.next()) {
      counts[bucket(tokens.hash())]++;
      if (!first) {
        int bigramHash = (31 * previousHash + ' ') * powerOf31(tokens.length());
        counts[bucket(bigramHash + tokens.hash())]++;
      }
      first = false;
      previousHash = tokens.hash();
    }
    return counts;
  }

  /** {@code 31^k} in int arithmetic (modulo 2^32, as String.hashCode computes), by squaring. */
  static int powerOf31(int k) {
    int result = 1;
    int base = 31;
    for (int e = k; e > 0; e >>= 1) {
      if ((e & 1) != 0) {
        result *= base;
      }
      base *= base;
    }
    return result;
  }

  private int bucket(int hash) {
    return Math.floorMod(hash, dimension);
  }
}
