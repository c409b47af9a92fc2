package dev.switchyard.strategies.preference;

import dev.switchyard.strategies.ml.Elo;
import java.util.ArrayList;
import java.util.List;

/**
 * Recorded outcomes read as pairwise battles, the form preference-trained routers (RouteLLM, P2L, Eagle) learn
 * from: on each query, model a beats model b when its score is higher; equal scores are a tie (half a win to
 * each), as in Chatbot Arena's Bradley-Terry fits.
 */
final class Battles {
  private Battles() {}

  /** Flattened {@code M x M} win matrix of one query: {@code w[a*M+b]} = 1 win, 0.5 tie, 0 loss, 0 on the diagonal. */
  static double[] winMatrix(double[] scores) {
    int m = scores.length;
    double[] w = new double[m * m];
    for (int a = 0; a < m; a++) {
      for (int b = 0; b < m; b++) {
        if (a != b) {
          w[a * m + b] = scores[a] > scores[b] ? 1.0 : scores[a] == scores[b] ? 0.5 : 0.0;
        }
      }
    }
    return w;
  }

  /** Adds {@code weight * w} into {@code sum}. */
  static void accumulate(double[] sum, double[] w, double weight) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += weight * w[i];
    }
  }

  static double[][] square(double[] flat, int m) {
    double[][] out = new double[m][m];
    for (int a = 0; a < m; a++) {
      System.arraycopy(flat, a * m, out[a], 0, m);
    }
    return out;
  }

  /** Every pair of one query as Elo games (a < b), in a fixed order. */
  static List<Elo.Game> games(double[] scores) {
    List<Elo.Game> games = new ArrayList<>();
    for (int a = 0; a < scores.length; a++) {
      for (int b = a + 1; b < scores.length; b++) {
        games.add(new Elo.Game(a, b, scores[a] > scores[b] ? 1.0 : scores[a] == scores[b] ? 0.5 : 0.0));
      }
    }
    return games;
  }

  /** Mean probability of beating each other model: a strength on the [0, 1] scale of a quality estimate. */
  static double[] expectedWinRate(double[] logStrength) {
    int m = logStrength.length;
    double[] q = new double[m];
    for (int a = 0; a < m; a++) {
      double s = 0;
      for (int b = 0; b < m; b++) {
        if (a != b) {
          s += 1.0 / (1.0 + Math.exp(logStrength[b] - logStrength[a]));
        }
      }
      q[a] = m > 1 ? s / (m - 1) : 1.0;
    }
    return q;
  }
}
