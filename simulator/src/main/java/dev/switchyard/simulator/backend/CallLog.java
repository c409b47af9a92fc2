package dev.switchyard.simulator.backend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a simulated backend was asked and what it did, for tests and for the ledger checks of
 * reliability-plan.md (I3: no attempt id executed twice with a billable success). Bounded: per-attempt counts
 * keep the most recent {@code attemptCapacity} attempt ids, the record list the most recent
 * {@code recordCapacity} calls; totals are never dropped. Thread-safe.
 */
public final class CallLog {
  /** How one call ended: {@code ok}, {@code replayed} (an idempotent repeat), or a failure kind. */
  public record CallRecord(String attemptId, int callNo, String outcome, String persona, double simulatedMs,
      double wallDelayMs) {}

  private final int attemptCapacity;
  private final int recordCapacity;
  private final Map<String, int[]> perAttempt;
  private final ArrayDeque<CallRecord> recent = new ArrayDeque<>();
  private final Map<String, Long> outcomes = new TreeMap<>();
  private long totalCalls;

  public CallLog(int attemptCapacity, int recordCapacity) {
    if (attemptCapacity < 1 || recordCapacity < 0) {
      throw new IllegalArgumentException("call log capacities must be >= 1 and >= 0, got " + attemptCapacity
          + ", " + recordCapacity);
    }
    this.attemptCapacity = attemptCapacity;
    this.recordCapacity = recordCapacity;
    this.perAttempt = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
        return size() > CallLog.this.attemptCapacity;
      }
    };
  }

  /** Counts a call and returns its number for this attempt id (1 for the first call). */
  synchronized int begin(String attemptId) {
    totalCalls++;
    int[] c = perAttempt.computeIfAbsent(attemptId, k -> new int[2]);
    return ++c[0];
  }

  synchronized void end(CallRecord record, boolean billableSuccess) {
    outcomes.merge(record.outcome(), 1L, Long::sum);
    if (billableSuccess) {
      int[] c = perAttempt.get(record.attemptId());
      if (c != null) {
        c[1]++;
      }
    }
    if (recordCapacity > 0) {
      if (recent.size() == recordCapacity) {
        recent.removeFirst();
      }
      recent.addLast(record);
    }
  }

  /** Calls made with this attempt id (0 if never seen or forgotten). */
  public synchronized int calls(String attemptId) {
    int[] c = perAttempt.get(attemptId);
    return c == null ? 0 : c[0];
  }

  /** Times this attempt id was executed to a billable answer; a correct backend keeps it at most 1. */
  public synchronized int billableSuccesses(String attemptId) {
    int[] c = perAttempt.get(attemptId);
    return c == null ? 0 : c[1];
  }

  /** Billable executions per remembered attempt id (ids never answered are left out). */
  public synchronized Map<String, Integer> billableByAttempt() {
    Map<String, Integer> out = new LinkedHashMap<>();
    perAttempt.forEach((id, c) -> {
      if (c[1] > 0) {
        out.put(id, c[1]);
      }
    });
    return out;
  }

  public synchronized long totalCalls() {
    return totalCalls;
  }

  /** Calls per outcome ({@code ok}, {@code replayed}, {@code SERVER_ERROR}, ...), sorted by name. */
  public synchronized Map<String, Long> outcomes() {
    return new TreeMap<>(outcomes);
  }

  public synchronized long count(String outcome) {
    return outcomes.getOrDefault(outcome, 0L);
  }

  /** The most recent calls, oldest first. */
  public synchronized List<CallRecord> recent() {
    return new ArrayList<>(recent);
  }
}
