package dev.switchyard.strategies.ml;

import java.util.Arrays;
import java.util.List;

/**
 * Exact nearest neighbours by cosine similarity over stored vectors (brute force: a few thousand training
 * queries need no approximate index). Vectors are L2-normalised on insertion, so similarity is a dot product.
 */
public final class KnnIndex {
  private final int dimension;
  // stored sparsely: hashed n-gram vectors have a few dozen non-zeros out of hundreds of buckets
  private final int[][] indices;
  private final double[][] values;

  /** A neighbour: its row in the index and its cosine similarity to the probe. */
  public record Neighbour(int index, double similarity) {}

  public KnnIndex(List<double[]> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a kNN index needs at least one vector");
    }
    dimension = rows.get(0).length;
    indices = new int[rows.size()][];
    values = new double[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).length != dimension) {
        throw new IllegalArgumentException("vector " + i + " has length " + rows.get(i).length + ", expected "
            + dimension);
      }
      double[] v = normalised(rows.get(i));
      int nnz = 0;
      for (double x : v) {
        nnz += x != 0 ? 1 : 0;
      }
      indices[i] = new int[nnz];
      values[i] = new double[nnz];
      for (int j = 0, at = 0; j < v.length; j++) {
        if (v[j] != 0) {
          indices[i][at] = j;
          values[i][at++] = v[j];
        }
      }
    }
  }

  public int size() {
    return indices.length;
  }

  /** Cosine similarity of the probe to every stored vector, in index order. */
  public double[] similarities(double[] probe) {
    if (probe.length != dimension) {
      throw new IllegalArgumentException("probe has length " + probe.length + ", index " + dimension);
    }
    double[] p = normalised(probe);
    double[] s = new double[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int[] idx = indices[i];
      double[] val = values[i];
      double dot = 0;
      for (int j = 0; j < idx.length; j++) {
        dot += val[j] * p[idx[j]];
      }
      s[i] = dot;
    }
    return s;
  }

  /**
   * The {@code k} most similar stored vectors, most similar first (ties by lower index), leaving out row
   * {@code exclude} (pass -1 to keep all; leave-one-out estimates on the training set pass the row itself).
   */
  public List<Neighbour> nearest(double[] probe, int k, int exclude) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    double[] s = similarities(probe);
    // partial selection with a bounded min-heap: O(n log k) instead of sorting every row
    java.util.PriorityQueue<Integer> heap = new java.util.PriorityQueue<>(k + 1,
        (a, b) -> s[a] != s[b] ? Double.compare(s[a], s[b]) : Integer.compare(b, a));
    for (int i = 0; i < s.length; i++) {
      if (i == exclude) {
        continue;
      }
      if (heap.size() < k) {
        heap.add(i);
      } else {
        int worst = heap.peek();
        if (s[i] > s[worst] || (s[i] == s[worst] && i < worst)) {
          heap.poll();
          heap.add(i);
        }
      }
    }
    Integer[] order = heap.toArray(new Integer[0]);
    Arrays.sort(order, (a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : Integer.compare(a, b));
    return Arrays.stream(order).map(i -> new Neighbour(i, s[i])).toList();
  }

  static double[] normalised(double[] v) {
    double n = Math.sqrt(LogisticRegression.dot(v, v));
    double[] out = v.clone();
    if (n > 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= n;
      }
    }
    return out;
  }
}
