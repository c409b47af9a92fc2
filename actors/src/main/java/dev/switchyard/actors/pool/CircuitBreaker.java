package dev.switchyard.actors.pool;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A circuit breaker for one worker, driven by the caller's clock (milliseconds), so it is a plain state machine
 * that tests can step exactly. CLOSED: calls pass; {@code failureThreshold} failures within {@code windowMillis}
 * open it. OPEN: calls are refused until {@code cooldownMillis} have passed, then it turns HALF_OPEN and lets
 * exactly one probe through. The probe's success closes it; its failure opens it again for another cooldown.
 * Not thread-safe: owned by one actor.
 */
public final class CircuitBreaker {
  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final int failureThreshold;
  private final long windowMillis;
  private final long cooldownMillis;
  private final Deque<Long> failures = new ArrayDeque<>();
  private State state = State.CLOSED;
  private long openedAt;
  private boolean probeInFlight;

  public CircuitBreaker(int failureThreshold, long windowMillis, long cooldownMillis) {
    if (failureThreshold <= 0 || windowMillis <= 0 || cooldownMillis < 0) {
      throw new IllegalArgumentException("circuit breaker needs threshold > 0, window > 0, cooldown >= 0; got "
          + failureThreshold + ", " + windowMillis + ", " + cooldownMillis);
    }
    this.failureThreshold = failureThreshold;
    this.windowMillis = windowMillis;
    this.cooldownMillis = cooldownMillis;
  }

  /** The state as of {@code now} (an open breaker whose cooldown passed reports HALF_OPEN). */
  public State state(long now) {
    if (state == State.OPEN && now - openedAt >= cooldownMillis) {
      return State.HALF_OPEN;
    }
    return state;
  }

  /** Whether a call may start now; in HALF_OPEN this admits the single probe and then refuses. */
  public boolean tryAcquire(long now) {
    State current = state(now);
    if (current == State.CLOSED) {
      return true;
    }
    if (current == State.HALF_OPEN && !probeInFlight) {
      state = State.HALF_OPEN;
      probeInFlight = true;
      return true;
    }
    return false;
  }

  public void onSuccess(long now) {
    if (state == State.HALF_OPEN) {
      state = State.CLOSED;
      probeInFlight = false;
      failures.clear();
    }
  }

  /** A failure that says something about the backend's health. */
  public void onFailure(long now) {
    if (state == State.HALF_OPEN) {
      open(now);
      return;
    }
    if (state == State.OPEN) {
      return;
    }
    failures.addLast(now);
    while (!failures.isEmpty() && now - failures.peekFirst() > windowMillis) {
      failures.removeFirst();
    }
    if (failures.size() >= failureThreshold) {
      open(now);
    }
  }

  /** A call that ended without saying anything about health (e.g. rate limited): frees the probe slot. */
  public void onNeutral(long now) {
    if (state == State.HALF_OPEN) {
      probeInFlight = false;
    }
  }

  /** Milliseconds until an open breaker admits a probe, 0 otherwise. */
  public long millisUntilProbe(long now) {
    return state == State.OPEN ? Math.max(0, openedAt + cooldownMillis - now) : 0;
  }

  private void open(long now) {
    state = State.OPEN;
    openedAt = now;
    probeInFlight = false;
    failures.clear();
  }
}
