package dev.switchyard.strategies.ml;

import java.util.Arrays;
import java.util.Random;

/**
 * Lloyd's k-means with k-means++ seeding (Arthur &amp; Vassilvitskii, 2007) under squared Euclidean distance.
 * Deterministic given the seed. An empty cluster keeps its previous centroid. Immutable once fitted.
 */
public final class KMeans {
  private final double[][] centroids;

  private KMeans(double[][] centroids) {
    this.centroids = centroids;
  }

  public static KMeans fit(double[][] points, int k, long seed, int iterations) {
    if (points.length == 0) {
      throw new IllegalArgumentException("k-means needs at least one point");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    int clusters = Math.min(k, points.length);
    Random random = new Random(seed);
    double[][] c = new double[clusters][];
    c[0] = points[random.nextInt(points.length)].clone();
    double[] nearest = new double[points.length];
    Arrays.fill(nearest, Double.POSITIVE_INFINITY);
    for (int j = 1; j < clusters; j++) {
      double total = 0;
      for (int i = 0; i < points.length; i++) {
        nearest[i] = Math.min(nearest[i], distance(points[i], c[j - 1]));
        total += nearest[i];
      }
      int pick = random.nextInt(points.length);
      if (total > 0) {
        double u = random.nextDouble() * total;
        for (int i = 0; i < points.length; i++) {
          u -= nearest[i];
          if (u <= 0) {
            pick = i;
            break;
          }
        }
      }
      c[j] = points[pick].clone();
    }
    int[] assignment = new int[points.length];
    Arrays.fill(assignment, -1);
    for (int iter = 0; iter < iterations; iter++) {
      boolean changed = false;
      for (int i = 0; i < points.length; i++) {
        int a = nearestIndex(c, points[i]);
        if (a != assignment[i]) {
          assignment[i] = a;
          changed = true;
        }
      }
      if (!changed) {
        break;
      }
      double[][] sums = new double[clusters][points[0].length];
      int[] counts = new int[clusters];
      for (int i = 0; i < points.length; i++) {
        counts[assignment[i]]++;
        double[] s = sums[assignment[i]];
        for (int d = 0; d < s.length; d++) {
          s[d] += points[i][d];
        }
      }
      for (int j = 0; j < clusters; j++) {
        if (counts[j] > 0) {
          for (int d = 0; d < sums[j].length; d++) {
            sums[j][d] /= counts[j];
          }
          c[j] = sums[j];
        }
      }
    }
    return new KMeans(c);
  }

  public int k() {
    return centroids.length;
  }

  public int nearest(double[] point) {
    return nearestIndex(centroids, point);
  }

  /** The {@code n} nearest clusters, nearest first. */
  public int[] nearest(double[] point, int n) {
    Integer[] order = new Integer[centroids.length];
    double[] dist = new double[centroids.length];
    for (int j = 0; j < centroids.length; j++) {
      order[j] = j;
      dist[j] = distance(point, centroids[j]);
    }
    Arrays.sort(order, (a, b) -> a.equals(b) ? 0 : Double.compare(dist[a], dist[b]) != 0
        ? Double.compare(dist[a], dist[b]) : Integer.compare(a, b));
    int m = Math.min(n, order.length);
    int[] out = new int[m];
    for (int i = 0; i < m; i++) {
      out[i] = order[i];
    }
    return out;
  }

  public double[] centroid(int cluster) {
    return centroids[cluster].clone();
  }

  private static int nearestIndex(double[][] c, double[] p) {
    int best = 0;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int j = 0; j < c.length; j++) {
      double d = distance(p, c[j]);
      if (d < bestDistance) {
        bestDistance = d;
        best = j;
      }
    }
    return best;
  }

  static double distance(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("dimension mismatch: " + a.length + " vs " + b.length);
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }
}
