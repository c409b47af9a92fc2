package dev.switchyard.actors.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The calls a {@link ModelPool} holds for a worker, each with the time by which it must have started (epoch millis
 * of the pool's clock), the order they start in, and the rules for how long a call may wait. Plain bookkeeping:
 * the pool decides what to admit and refuses what this queue hands back as late or pushed out. Not thread-safe
 * (one actor owns it).
 *
 * <p>Fair across tenants: each tenant's calls wait in a lane of their own (the calls of no tenant, {@link
 * ModelPool.Call#tenant()} null, share one "unmetered" lane), in arrival order, and the lanes are served by
 * deficit round robin weighted by each tenant's {@code priority}: when workers free up, the lane whose turn it is
 * starts up to its weight of calls, then the next lane with calls waiting has its turn. A call costs 1: what a
 * pool shares out is its concurrent worker slots, a call holds one for as long as it runs, and the pool's drain
 * rate (the deadline-aware admission) counts calls; a token estimate is mostly the client's {@code max_tokens},
 * not what the call will take, and tokens are metered by the tenant's tokens-per-minute limit. With a cost of 1
 * the deficit never carries over a turn, so this is weighted round robin; under contention a tenant of weight 3
 * starts 3 calls for every 1 of a tenant of weight 1, and a lane that empties forfeits the rest of its turn (an
 * idle tenant saves up no credit). With one lane (no tenants) the order is plain first come, first served.
 *
 * <p>The round robin orders the lanes, but a lane running fewer calls than its share of the pool's slots (the slots
 * by its weight over the weights of the lanes with calls waiting) starts before the lanes at or over theirs, in or
 * out of its turn: what a tenant is owed is its share of the slots, which the turns alone do not give it when its
 * lane empties between calls. A tenant sending about its share would otherwise forfeit its turn each time its lane
 * emptied, come back behind the flooding tenant's turn, and see a slot freed meanwhile go to that tenant: at
 * exactly its share it then falls behind once and never catches up (a backlog of about 3 calls in {@code bench
 * fair}). The queue counts each tenant's running calls ({@link #started}, {@link #finished}); the turns still
 * decide among lanes under their shares (so with one slot the weights hold) and among lanes at or over them (the
 * pool stays work-conserving: a free slot never idles while a call waits).
 *
 * <p>The queue is bounded by the pool's {@code max-queue}, but no tenant can keep the others out of it: when it
 * is full, a newcomer takes the place of the newest call of the lane holding the most places for its weight, as
 * long as that lane would still hold more for its weight than the newcomer's after the swap
 * ({@link #pushOutCandidate}); otherwise the newcomer is refused. A tenant alone may use the whole queue, and as
 * others arrive the places are shared out in weight proportion, the flooding tenant's newest calls refused first.
 */
final class AdmissionQueue {
  /** A queued call and the time by which it must have started. */
  private record Queued(ModelPool.Call call, long startBy) {}

  /** One tenant's queued calls, in the order they start, and what is left of its turn. */
  private static final class Lane {
    final String tenant;
    final int weight;
    final Deque<Queued> calls = new ArrayDeque<>();
    /** Calls the lane may still start in its current turn; 0 unless it is the lane whose turn it is. */
    int deficit;

    Lane(String tenant, int weight) {
      this.tenant = tenant;
      this.weight = Math.max(1, weight);
    }
  }

  private final long maxQueueWaitMillis;
  private final ToIntFunction<String> weightOf;
  /** The lanes with calls queued, by tenant (the unmetered lane under null). */
  private final Map<String, Lane> lanes = new HashMap<>();
  /** The same lanes in round-robin order; the first is the one whose turn it is (its deficit granted). */
  private final Deque<Lane> ring = new ArrayDeque<>();
  /** The calls running now, by tenant (unmetered under null); a tenant with none is absent. */
  private final Map<String, Integer> running = new HashMap<>();
  private int size;

  /** A queue where every tenant weighs 1. */
  AdmissionQueue(Duration maxQueueWait) {
    this(maxQueueWait, tenant -> 1);
  }

  /**
   * @param maxQueueWait {@code max-queue-wait}: the longest any call may wait for a worker
   * @param weightOf a tenant's weight (its {@code priority}, at least 1); asked with null for unmetered calls
   */
  AdmissionQueue(Duration maxQueueWait, ToIntFunction<String> weightOf) {
    this.maxQueueWaitMillis = maxQueueWait.toMillis();
    this.weightOf = weightOf;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** How many calls of {@code tenant} (null: unmetered) are queued. */
  int size(String tenant) {
    Lane lane = lanes.get(tenant);
    return lane == null ? 0 : lane.calls.size();
  }

  /** A call of {@code tenant} (null: unmetered) has started on a worker slot, from this queue or straight away. */
  void started(String tenant) {
    running.merge(tenant, 1, Integer::sum);
  }

  /** A call of {@code tenant} that {@link #started} has given its slot back (answered, failed or timed out). */
  void finished(String tenant) {
    running.computeIfPresent(tenant, (t, n) -> n > 1 ? n - 1 : null);
  }

  /** How many calls of {@code tenant} (null: unmetered) are running. */
  int running(String tenant) {
    return running.getOrDefault(tenant, 0);
  }

  /** Queues {@code call} last in its tenant's lane. */
  void add(ModelPool.Call call, long startBy) {
    lane(call.tenant()).calls.addLast(new Queued(call, startBy));
    size++;
  }

  /** Queues {@code call} first in its tenant's lane (a retry, which has waited already). */
  void addFirst(ModelPool.Call call, long startBy) {
    lane(call.tenant()).calls.addFirst(new Queued(call, startBy));
    size++;
  }

  private Lane lane(String tenant) {
    Lane lane = lanes.get(tenant);
    if (lane == null) {
      lane = new Lane(tenant, weightOf.applyAsInt(tenant));
      lanes.put(tenant, lane);
      ring.addLast(lane);
      if (ring.size() == 1) {
        lane.deficit = lane.weight;
      }
    }
    return lane;
  }

  /**
   * Replaces the queued call of {@code call}'s attempt id by {@code call} (its latest reply address), keeping its
   * place and start-by time; false if that attempt is not queued.
   */
  boolean replace(ModelPool.Call call) {
    String attemptId = call.request().attemptId();
    for (Lane lane : ring) {
      if (lane.calls.stream().anyMatch(q -> isAttempt(q, attemptId))) {
        List<Queued> kept = new ArrayList<>(lane.calls);
        lane.calls.clear();
        kept.forEach(q -> lane.calls.addLast(isAttempt(q, attemptId) ? new Queued(call, q.startBy()) : q));
        return true;
      }
    }
    return false;
  }

  private static boolean isAttempt(Queued q, String attemptId) {
    return q.call().request().attemptId().equals(attemptId);
  }

  /**
   * Offers the queued calls to {@code start}, removing each it starts, until it starts none (the call it refused
   * stays next): first the lanes running fewer calls than their share of {@code slots}, then the others, each in
   * deficit-round-robin order. {@code start} reports each call it starts through {@link #started}.
   *
   * @param slots the pool's worker slots that admit calls (the shares are of these)
   */
  void startWhile(long slots, Predicate<ModelPool.Call> start) {
    while (!ring.isEmpty()) {
      Lane next = underShare(slots).orElse(ring.peekFirst());
      if (!start.test(next.calls.peekFirst().call())) {
        return;
      }
      next.calls.removeFirst();
      size--;
      if (next != ring.peekFirst()) {
        // out of turn, catching up to its share: the lane whose turn it is keeps it
        if (next.calls.isEmpty()) {
          drop(next);
        }
        continue;
      }
      next.deficit--;
      if (next.calls.isEmpty()) {
        drop(next);
      } else if (next.deficit == 0) {
        ring.addLast(ring.removeFirst());
        grantTurn();
      }
    }
  }

  /**
   * The first lane in round-robin order (from the one whose turn it is) that runs fewer calls than its share of
   * {@code slots}: slots x its weight / the weights of all lanes with calls waiting.
   */
  private Optional<Lane> underShare(long slots) {
    long weights = 0;
    for (Lane lane : ring) {
      weights += lane.weight;
    }
    for (Lane lane : ring) {
      // running < slots * weight / weights, in integers
      if ((long) running(lane.tenant) * weights < slots * lane.weight) {
        return Optional.of(lane);
      }
    }
    return Optional.empty();
  }

  /** Removes an emptied lane; if its turn it was, the next lane's turn begins. */
  private void drop(Lane lane) {
    lanes.remove(lane.tenant);
    boolean itsTurn = ring.peekFirst() == lane;
    ring.remove(lane);
    lane.deficit = 0;
    if (itsTurn) {
      grantTurn();
    }
  }

  private void grantTurn() {
    Lane next = ring.peekFirst();
    if (next != null) {
      next.deficit = next.weight;
    }
  }

  /** Removes and returns the queued calls whose start-by time has come, each lane's in order. */
  List<ModelPool.Call> takeLate(long now) {
    List<ModelPool.Call> late = new ArrayList<>();
    for (Lane lane : List.copyOf(ring)) {
      for (Iterator<Queued> it = lane.calls.iterator(); it.hasNext(); ) {
        Queued q = it.next();
        if (q.startBy() <= now) {
          late.add(q.call());
          it.remove();
          size--;
        }
      }
      if (lane.calls.isEmpty()) {
        drop(lane);
      }
    }
    return late;
  }

  /** The earliest start-by time of a queued call, empty when none is queued. */
  OptionalLong earliestStartBy() {
    return ring.stream().flatMap(l -> l.calls.stream()).mapToLong(Queued::startBy).min();
  }

  /**
   * How many queued calls will start before a call of {@code tenant} queued now: those of its own lane, and from
   * each other lane as many as that lane's weight lets it start in the turns the newcomer's lane needs to reach
   * it (never more than it holds). The deadline-aware admission's "queue ahead"; with one lane, the queue's size.
   * For a lane under its share of the slots, which starts before the others' turns, it counts more than will start
   * first: the estimate errs on the long side.
   */
  int callsAhead(String tenant) {
    Lane own = lanes.get(tenant);
    int ownWeight = own != null ? own.weight : Math.max(1, weightOf.applyAsInt(tenant));
    long ownQueued = own != null ? own.calls.size() : 0;
    long ahead = ownQueued;
    for (Lane other : ring) {
      if (other != own) {
        // the calls it starts while the newcomer's lane starts ownQueued + 1 (ceiling of the weight ratio)
        long share = (other.weight * (ownQueued + 1) + ownWeight - 1) / ownWeight;
        ahead += Math.min(other.calls.size(), share);
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, ahead);
  }

  /**
   * When the queue is full: the call a newcomer of {@code tenant} should take the place of, the newest call of the
   * lane holding the most places for its weight, if that lane holds more for its weight than the newcomer's lane
   * would with the newcomer; empty when the newcomer should be refused instead (its lane has its share already).
   */
  Optional<ModelPool.Call> pushOutCandidate(String tenant) {
    Lane own = lanes.get(tenant);
    long ownQueued = (own != null ? own.calls.size() : 0) + 1;
    long ownWeight = own != null ? own.weight : Math.max(1, weightOf.applyAsInt(tenant));
    Lane biggest = null;
    for (Lane other : ring) {
      // other.size / other.weight > biggest.size / biggest.weight, in integers
      if (other != own && (biggest == null
          || (long) other.calls.size() * biggest.weight > (long) biggest.calls.size() * other.weight)) {
        biggest = other;
      }
    }
    if (biggest == null || (long) biggest.calls.size() * ownWeight <= ownQueued * biggest.weight) {
      return Optional.empty();
    }
    return Optional.of(biggest.calls.peekLast().call());
  }

  /** Takes {@code call}'s attempt out of the queue (pushed out by another tenant's); false if it is not queued. */
  boolean remove(ModelPool.Call call) {
    String attemptId = call.request().attemptId();
    for (Lane lane : List.copyOf(ring)) {
      if (lane.calls.removeIf(q -> isAttempt(q, attemptId))) {
        size--;
        if (lane.calls.isEmpty()) {
          drop(lane);
        }
        return true;
      }
    }
    return false;
  }

  /** The longest a call may wait for a worker: {@code max-queue-wait}, or less when its deadline is nearer. */
  long allowedWaitMillis(ModelPool.Call call) {
    return call.maxWaitMillis() > 0 ? Math.min(maxQueueWaitMillis, call.maxWaitMillis()) : maxQueueWaitMillis;
  }

  /**
   * How long a queued call may wait before it is refused after all: its allowed wait, stretched to twice the
   * estimate it was admitted with (an estimate near the limit is often a little short: calls finish with jitter),
   * but never past its query's deadline, after which the call would be wasted. The net for estimates that were
   * wrong (none yet, or a backend that slowed down, or another tenant's calls arriving ahead of it in the round
   * robin), not for jitter: a queued call waits at most twice {@code max-queue-wait}.
   */
  static long startWithinMillis(ModelPool.Call call, long expected, long allowed) {
    long within = Math.max(allowed, 2 * expected);
    return call.maxWaitMillis() > 0 ? Math.min(within, call.maxWaitMillis()) : within;
  }
}
