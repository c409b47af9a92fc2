package dev.switchyard.actors.tenant;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A sliding log over the last {@code lengthMillis}: every amount added is kept with its time until it is older than
 * the window, so "at most N in any minute" is exact (a fixed window lets 2N through across its edge; GCRA would be
 * O(1) but cannot say how much the last minute held, which the dashboard shows). Memory is one entry per
 * admission still in the window, at most the limit's worth. Not thread-safe: it lives inside one actor.
 */
final class SlidingWindow {
  private final long lengthMillis;
  private final ArrayDeque<long[]> entries = new ArrayDeque<>();
  private long sum;

  SlidingWindow(long lengthMillis) {
    this.lengthMillis = lengthMillis;
  }

  void add(long atMillis, long amount) {
    if (amount <= 0) {
      return;
    }
    long[] last = entries.peekLast();
    if (last != null && last[0] == atMillis) {
      last[1] += amount; // same millisecond: one entry
    } else {
      entries.addLast(new long[] {atMillis, amount});
    }
    sum += amount;
  }

  /** What the window holds at {@code nowMillis}. */
  long sum(long nowMillis) {
    evict(nowMillis);
    return sum;
  }

  /**
   * How long from {@code nowMillis} until {@code amount} more fits under {@code limit}: 0 when it fits now; the whole
   * window when it never fits (more than the limit on its own).
   */
  long waitMillis(long nowMillis, long limit, long amount) {
    evict(nowMillis);
    if (sum + amount <= limit) {
      return 0;
    }
    if (amount > limit) {
      return lengthMillis;
    }
    long left = sum;
    for (long[] e : entries) {
      left -= e[1];
      if (left + amount <= limit) {
        return Math.max(1, e[0] + lengthMillis - nowMillis);
      }
    }
    return lengthMillis;
  }

  /** The entries still in the window at {@code nowMillis}, oldest first: what a stopping ledger journals. */
  List<LedgerEvent.Amount> entries(long nowMillis) {
    evict(nowMillis);
    List<LedgerEvent.Amount> out = new ArrayList<>(entries.size());
    entries.forEach(e -> out.add(new LedgerEvent.Amount(e[0], e[1])));
    return out;
  }

  /**
   * Counts again what an earlier incarnation's window held (oldest first). Only into an empty window: one that
   * counts already is this incarnation's own (recovering again after a journal failure), which knows more.
   */
  void restore(List<LedgerEvent.Amount> kept) {
    if (entries.isEmpty()) {
      kept.forEach(a -> add(a.atMillis(), a.amount()));
    }
  }

  private void evict(long nowMillis) {
    while (!entries.isEmpty() && entries.peekFirst()[0] <= nowMillis - lengthMillis) {
      sum -= entries.pollFirst()[1];
    }
  }
}
