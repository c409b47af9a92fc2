package dev.switchyard.strategies.bandit;

import java.util.Random;

/**
 * Per-query random generators: a planner must be a pure function of its state, so exploration draws come
 * from a generator seeded by the learner's seed and the query id (the same query replays to the same draw).
 */
public final class Seeds {
  private Seeds() {}

  public static Random forQuery(long seed, String queryId) {
    return new Random(mix(seed, queryId));
  }

  /** SplitMix64 finaliser over the seed and the id's hash, so neighbouring ids give unrelated streams. */
  public static long mix(long seed, String key) {
    long z = seed * 0x9E3779B97F4A7C15L + key.hashCode();
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
