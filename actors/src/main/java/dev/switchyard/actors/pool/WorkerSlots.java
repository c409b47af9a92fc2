package dev.switchyard.actors.pool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A pool's workers, each with its circuit breaker and its calls in flight, numbered in the order they were added
 * (the number a worker reports its finished calls with). Chooses where a call starts: the least busy worker with
 * fewer than {@code max-concurrency-per-worker} calls in flight whose circuit admits it. Plain bookkeeping driven
 * by the pool's clock (milliseconds); not thread-safe (one actor owns it).
 *
 * @param <W> how a worker is reached (the pool's worker actors; anything in tests)
 */
final class WorkerSlots<W> {
  private static final class Slot<W> {
    final W worker;
    final CircuitBreaker breaker;
    int inFlight;

    Slot(W worker, CircuitBreaker breaker) {
      this.worker = worker;
      this.breaker = breaker;
    }
  }

  private final List<Slot<W>> slots = new ArrayList<>();
  private final int maxPerWorker;

  /** @param maxPerWorker {@code max-concurrency-per-worker} */
  WorkerSlots(int maxPerWorker) {
    this.maxPerWorker = maxPerWorker;
  }

  /** Adds the next worker (numbered {@link #size()} before the call). */
  void add(W worker, CircuitBreaker breaker) {
    slots.add(new Slot<>(worker, breaker));
  }

  int size() {
    return slots.size();
  }

  boolean isEmpty() {
    return slots.isEmpty();
  }

  /**
   * Takes a place for a call on the least busy free worker whose circuit admits it (worker {@code avoid} last: the
   * one a retried call just failed on; -1 for none) and counts the call in flight there; empty when none can.
   */
  Optional<W> acquire(long now, int avoid) {
    List<Slot<W>> free = slots.stream().filter(s -> s.inFlight < maxPerWorker)
        .sorted(Comparator.comparing((Slot<W> s) -> slots.indexOf(s) == avoid).thenComparingInt(s -> s.inFlight))
        .toList();
    for (Slot<W> slot : free) {
      if (slot.breaker.tryAcquire(now)) {
        slot.inFlight++;
        return Optional.of(slot.worker);
      }
    }
    return Optional.empty();
  }

  /**
   * A call on {@code worker} finished: no longer in flight, and its circuit learns how it went.
   *
   * @param failed whether the call failed
   * @param unhealthy whether the failure counts against the backend (a client error does not)
   */
  void finished(int worker, long now, boolean failed, boolean unhealthy) {
    Slot<W> slot = slots.get(worker);
    slot.inFlight--;
    if (!failed) {
      slot.breaker.onSuccess(now);
    } else if (unhealthy) {
      slot.breaker.onFailure(now);
    } else {
      slot.breaker.onNeutral(now);
    }
  }

  /** Whether every worker's circuit is open now (true for no workers). */
  boolean allOpen(long now) {
    return slots.stream().allMatch(s -> s.breaker.state(now) == CircuitBreaker.State.OPEN);
  }

  /** The workers whose circuits admit calls now (closed or half-open). */
  long admitting(long now) {
    return slots.stream().filter(s -> s.breaker.state(now) != CircuitBreaker.State.OPEN).count();
  }

  /** How long until the first open circuit lets a probe through (0 for no workers). */
  long millisUntilProbe(long now) {
    return slots.stream().mapToLong(s -> s.breaker.millisUntilProbe(now)).min().orElse(0);
  }

  int inFlight() {
    return slots.stream().mapToInt(s -> s.inFlight).sum();
  }

  /** Each worker's circuit state now, in worker order. */
  List<CircuitBreaker.State> states(long now) {
    return slots.stream().map(s -> s.breaker.state(now)).toList();
  }
}
