package dev.switchyard.actors.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * The calls a {@link ModelPool} holds for a worker, in the order they start, each with the time by which it must
 * have started (epoch millis of the pool's clock), and the rules for how long a call may wait. Plain bookkeeping:
 * the pool decides what to admit and refuses what this queue hands back as late. Not thread-safe (one actor owns
 * it).
 */
final class AdmissionQueue {
  /** A queued call and the time by which it must have started. */
  private record Queued(ModelPool.Call call, long startBy) {}

  private final Deque<Queued> queue = new ArrayDeque<>();
  private final long maxQueueWaitMillis;

  /** @param maxQueueWait {@code max-queue-wait}: the longest any call may wait for a worker */
  AdmissionQueue(Duration maxQueueWait) {
    this.maxQueueWaitMillis = maxQueueWait.toMillis();
  }

  int size() {
    return queue.size();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Queues {@code call} last in line. */
  void add(ModelPool.Call call, long startBy) {
    queue.addLast(new Queued(call, startBy));
  }

  /** Queues {@code call} first in line (a retry, which has waited already). */
  void addFirst(ModelPool.Call call, long startBy) {
    queue.addFirst(new Queued(call, startBy));
  }

  /**
   * Replaces the queued call of {@code call}'s attempt id by {@code call} (its latest reply address), keeping its
   * place and start-by time; false if that attempt is not queued.
   */
  boolean replace(ModelPool.Call call) {
    String attemptId = call.request().attemptId();
    if (queue.stream().noneMatch(q -> q.call().request().attemptId().equals(attemptId))) {
      return false;
    }
    List<Queued> kept = new ArrayList<>(queue);
    queue.clear();
    kept.forEach(q -> queue.addLast(q.call().request().attemptId().equals(attemptId)
        ? new Queued(call, q.startBy()) : q));
    return true;
  }

  /** Offers the queued calls to {@code start} in order, removing each it starts, until it starts none. */
  void startWhile(Predicate<ModelPool.Call> start) {
    while (!queue.isEmpty() && start.test(queue.peekFirst().call())) {
      queue.removeFirst();
    }
  }

  /** Removes and returns, in order, the queued calls whose start-by time has come. */
  List<ModelPool.Call> takeLate(long now) {
    List<ModelPool.Call> late = queue.stream().filter(q -> q.startBy() <= now).map(Queued::call).toList();
    if (!late.isEmpty()) {
      queue.removeIf(q -> q.startBy() <= now);
    }
    return late;
  }

  /** The earliest start-by time of a queued call, empty when none is queued. */
  OptionalLong earliestStartBy() {
    return queue.stream().mapToLong(Queued::startBy).min();
  }

  /** The longest a call may wait for a worker: {@code max-queue-wait}, or less when its deadline is nearer. */
  long allowedWaitMillis(ModelPool.Call call) {
    return call.maxWaitMillis() > 0 ? Math.min(maxQueueWaitMillis, call.maxWaitMillis()) : maxQueueWaitMillis;
  }

  /**
   * How long a queued call may wait before it is refused after all: its allowed wait, stretched to twice the
   * estimate it was admitted with (an estimate near the limit is often a little short: calls finish with jitter),
   * but never past its query's deadline, after which the call would be wasted. The net for estimates that were
   * wrong (none yet, or a backend that slowed down), not for jitter: a queued call waits at most twice
   * {@code max-queue-wait}.
   */
  static long startWithinMillis(ModelPool.Call call, long expected, long allowed) {
    long within = Math.max(allowed, 2 * expected);
    return call.maxWaitMillis() > 0 ? Math.min(within, call.maxWaitMillis()) : within;
  }
}
