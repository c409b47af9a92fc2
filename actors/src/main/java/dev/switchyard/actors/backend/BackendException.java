package dev.switchyard.actors.backend;

import java.time.Duration;

/**
 * A backend call that did not produce an answer, classified so that pools and planners react correctly:
 * retry later ({@code RATE_LIMITED} with a retry-after), count toward the circuit breaker ({@code SERVER_ERROR},
 * {@code TIMEOUT}, {@code TRUNCATED}, {@code STREAM_BROKEN}), or never retry ({@code CLIENT_ERROR},
 * {@code UNAUTHORIZED}, {@code STREAM_BROKEN}: a streamed answer that broke off after its first tokens reached the
 * client cannot be taken back, so it is neither retried nor answered by another model).
 */
public final class BackendException extends RuntimeException {
  public enum Kind { RATE_LIMITED, SERVER_ERROR, TIMEOUT, TRUNCATED, CLIENT_ERROR, UNAUTHORIZED, STREAM_BROKEN }

  private final Kind kind;
  private final Duration retryAfter;

  public BackendException(Kind kind, String message, Duration retryAfter) {
    super(message);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public BackendException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** Null unless the backend said when to retry. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** Whether the failure says something about the backend's health (and so feeds the circuit breaker). */
  public boolean countsAgainstBackend() {
    return dev.switchyard.actors.pool.FailureKind.of(kind).countsAgainstBackend();
  }
}
