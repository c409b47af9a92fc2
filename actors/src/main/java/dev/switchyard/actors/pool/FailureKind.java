package dev.switchyard.actors.pool;

import dev.switchyard.actors.backend.BackendException;

/**
 * Why a model call gave no answer, from the worker that ran it to the query that planned it: a backend failure
 * (the {@link BackendException.Kind}s), a refusal by the pool that never ran it, or what the query itself
 * recorded. The name is the wire and journal form ({@code QueryEvent.AttemptFailed#kind}), so a value is never
 * renamed.
 */
public enum FailureKind {
  /** The backend asked to slow down (HTTP 429), usually with a retry-after. */
  RATE_LIMITED(Group.BACKEND),
  SERVER_ERROR(Group.BACKEND),
  /** The backend (or, for the query, its pool) did not answer in time. */
  TIMEOUT(Group.BACKEND),
  TRUNCATED(Group.BACKEND),
  CLIENT_ERROR(Group.BACKEND),
  UNAUTHORIZED(Group.BACKEND),
  /** A streamed answer broke off after its first pieces reached the client: never retried nor replaced. */
  STREAM_BROKEN(Group.BACKEND),
  /** The pool's queue was full. */
  POOL_FULL(Group.REFUSAL),
  /** The call could not start within its deadline or the pool's {@code max-queue-wait}. */
  QUEUE_WAIT(Group.REFUSAL),
  /** Every worker of the pool has its circuit open. */
  CIRCUIT_OPEN(Group.REFUSAL),
  /** The pool has no worker. */
  NO_BACKEND(Group.REFUSAL),
  /** The planner routed to a model the deployment does not have: no call was made. */
  UNKNOWN_MODEL(Group.QUERY),
  /** The call was in flight when the query's node stopped and was not sent again. */
  LOST(Group.QUERY);

  private enum Group { BACKEND, REFUSAL, QUERY }

  private final Group group;

  FailureKind(Group group) {
    this.group = group;
  }

  /** The kind of a backend's failure. */
  public static FailureKind of(BackendException.Kind kind) {
    return valueOf(kind.name());
  }

  /**
   * The kind a journal or an older node names. A name this version does not know reads as {@link #SERVER_ERROR}:
   * a failure of the backend's (which is what the pool assumed of any name it did not know), rather than a query
   * that can no longer be recovered.
   */
  public static FailureKind fromWire(String name) {
    try {
      return valueOf(name);
    } catch (IllegalArgumentException | NullPointerException e) {
      return SERVER_ERROR;
    }
  }

  /** A pool refused the call without running it (the query may wait its retry-after and call again). */
  public boolean isRefusal() {
    return group == Group.REFUSAL;
  }

  /** The failure says something about the backend's health, and so feeds its worker's circuit breaker. */
  public boolean countsAgainstBackend() {
    return this == SERVER_ERROR || this == TIMEOUT || this == TRUNCATED || this == STREAM_BROKEN;
  }

  /** The pool may run the call again (within its retry settings): a backend failure, unless a stream broke. */
  public boolean retriable() {
    return group == Group.BACKEND && this != STREAM_BROKEN;
  }
}
