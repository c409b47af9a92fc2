package dev.switchyard.actors.pool;

import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Stage;
import java.util.Optional;

/**
 * Why a model call gave no answer, from the worker that ran it to the query that planned it: a backend failure
 * (the {@link BackendException.Kind}s), a refusal by the pool that never ran it, or what the query itself
 * recorded. The name is the wire and journal form ({@code QueryEvent.AttemptFailed#kind}), so a value is never
 * renamed; an episode keeps it only in the decision text of the attempt's step ({@link #decision}), which
 * {@link #of(EpisodeStep)} alone reads back.
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
  LOST(Group.QUERY),
  /** The query's tenant's ledger refused the call: its daily budget cannot take the call's estimate. */
  TENANT_DAY_BUDGET(Group.TENANT),
  /** The same for its monthly budget. */
  TENANT_MONTH_BUDGET(Group.TENANT),
  /** The tenant's tokens-per-minute limit cannot take the call's estimated tokens now. */
  TENANT_TOKEN_RATE(Group.TENANT),
  /** The tenant's ledger did not answer the call's reservation in time: the call was not sent. */
  TENANT_LEDGER_UNAVAILABLE(Group.TENANT);

  private enum Group { BACKEND, REFUSAL, QUERY, TENANT }

  // The decision text is part of recorded episodes (a job journals its steps' results): never changed.
  private static final String REFUSED_PREFIX = "rejected: ";
  private static final String FAILED_PREFIX = "error: ";

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

  /**
   * The decision text of a failed or refused attempt, e.g. {@code "rejected: POOL_FULL: pool m is full"}: what the
   * episode's REJECTED or FAILED step and the planner's {@code Attempt#failure()} say.
   *
   * @param kind the name the journal holds, which may be one this version does not know
   */
  public static String decision(boolean refused, String kind, String message) {
    return (refused ? REFUSED_PREFIX : FAILED_PREFIX) + kind + (message.isEmpty() ? "" : ": " + message);
  }

  /**
   * The kind a REJECTED or FAILED episode step names in its {@link #decision}; empty for any other step, and for
   * a name this version does not know (unlike {@link #fromWire}, which must recover a query whatever it reads).
   */
  public static Optional<FailureKind> of(EpisodeStep step) {
    if (step.stage() != Stage.REJECTED && step.stage() != Stage.FAILED) {
      return Optional.empty();
    }
    String decision = step.decision();
    String rest = decision.startsWith(REFUSED_PREFIX) ? decision.substring(REFUSED_PREFIX.length())
        : decision.startsWith(FAILED_PREFIX) ? decision.substring(FAILED_PREFIX.length()) : "";
    int end = rest.indexOf(':');
    String name = end < 0 ? rest : rest.substring(0, end);
    for (FailureKind k : values()) {
      if (k.name().equals(name)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** A pool refused the call without running it (the query may wait its retry-after and call again). */
  public boolean isRefusal() {
    return group == Group.REFUSAL;
  }

  /** The query's tenant's ledger refused the call (no call was sent): the query ends, no other model is tried. */
  public boolean isTenantRefusal() {
    return group == Group.TENANT;
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
