package dev.switchyard.strategies.ml;

import java.util.List;

/**
 * Sequential Elo ratings (Elo 1978): after a game of i against j with result {@code s} (1 win, 0.5 draw, 0 loss)
 * for i, {@code R_i += K (s - E_i)} and {@code R_j -= K (s - E_i)}, with {@code E_i = 1 / (1 + 10^((R_j - R_i)/400))}.
 * The order of games matters, so callers pass them in a seeded order.
 */
public final class Elo {
  private Elo() {}

  /** One game: player {@code a} against {@code b}, {@code result} for a in {0, 0.5, 1}. */
  public record Game(int a, int b, double result) {
    public Game {
      if (a == b) {
        throw new IllegalArgumentException("a player cannot play itself: " + a);
      }
      if (result < 0 || result > 1) {
        throw new IllegalArgumentException("result must lie in [0, 1], got " + result);
      }
    }
  }

  public static double[] ratings(int players, List<Game> games, double k, double initial) {
    return ratings(initialRatings(players, initial), games, k);
  }

  /** Continues from the given ratings (e.g. a local Elo started at the global one). */
  public static double[] ratings(double[] start, List<Game> games, double k) {
    if (!(k > 0)) {
      throw new IllegalArgumentException("K must be > 0, got " + k);
    }
    double[] r = start.clone();
    for (Game g : games) {
      if (g.a() >= r.length || g.b() >= r.length) {
        throw new IllegalArgumentException("game between " + g.a() + " and " + g.b() + " but only " + r.length
            + " players");
      }
      double expected = expected(r[g.a()], r[g.b()]);
      double delta = k * (g.result() - expected);
      r[g.a()] += delta;
      r[g.b()] -= delta;
    }
    return r;
  }

  /** Probability that a player rated {@code ra} beats one rated {@code rb}. */
  public static double expected(double ra, double rb) {
    return 1.0 / (1.0 + Math.pow(10, (rb - ra) / 400.0));
  }

  private static double[] initialRatings(int players, double initial) {
    double[] r = new double[players];
    java.util.Arrays.fill(r, initial);
    return r;
  }
}
