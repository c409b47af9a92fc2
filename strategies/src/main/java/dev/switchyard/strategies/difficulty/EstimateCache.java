package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.ml.TextAndTask;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Memoises a router's per-query estimates (a pure function of the query text and task), so that sweeping the
 * trade-off over the same queries computes each estimate once. Bounded LRU; thread-safe.
 */
final class EstimateCache<V> {
  private final Map<TextAndTask, V> entries;

  EstimateCache(int capacity) {
    this.entries = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<TextAndTask, V> eldest) {
        return size() > capacity;
      }
    };
  }

  V get(String text, String task, Function<TextAndTask, V> compute) {
    TextAndTask key = TextAndTask.of(text, task);
    synchronized (entries) {
      V v = entries.get(key);
      if (v != null) {
        return v;
      }
    }
    V computed = compute.apply(key);
    synchronized (entries) {
      entries.put(key, computed);
    }
    return computed;
  }

  void clear() {
    synchronized (entries) {
      entries.clear();
    }
  }
}
