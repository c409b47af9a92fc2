package dev.switchyard.actors;

import java.time.Duration;

/**
 * Why the engine did not take or could not finish a query, for the HTTP layer to map to a status code:
 * {@code UNKNOWN_PIPELINE} (404), {@code INVALID} (400), {@code OVERLOADED} (429 with retry-after),
 * {@code UPSTREAM_FAILED} (502: no model answered, some failed),
 * {@code UNAVAILABLE} (503 with retry-after), {@code JOURNAL_UNAVAILABLE} (503 with retry-after: durable work
 * refused because the journal cannot write or an entity cannot read its journal), {@code TIMEOUT} (504), {@code NOT_FOUND} (404: no job or query of that id), {@code CONFLICT} (the id
 * already holds a different request: an idempotency key reused with another body), {@code UNSUPPORTED_FIELD} (400:
 * the query gives a request field, named by {@link #param()}, that no model of its pipeline can honour),
 * {@code BUDGET_EXHAUSTED} (402: the tenant's daily or monthly budget, named by {@link #param()}, cannot take the
 * call; retry-after: when the window rolls over), {@code TENANT_RATE_LIMITED} (429 with retry-after: the tenant's
 * requests- or tokens-per-minute limit, named by {@link #param()}).
 */
public final class EngineRejection extends RuntimeException {
  public enum Reason {
    UNKNOWN_PIPELINE, INVALID, OVERLOADED, UNAVAILABLE, JOURNAL_UNAVAILABLE, TIMEOUT, NOT_FOUND, CONFLICT,
    UPSTREAM_FAILED, UNSUPPORTED_FIELD, BUDGET_EXHAUSTED, TENANT_RATE_LIMITED
  }

  private final Reason reason;
  private final Duration retryAfter;
  private final String param;

  public EngineRejection(Reason reason, String message, Duration retryAfter) {
    this(reason, message, retryAfter, null);
  }

  /** @param param the request field the rejection is about, null when it is about none */
  public EngineRejection(Reason reason, String message, Duration retryAfter, String param) {
    super(message);
    this.reason = reason;
    this.retryAfter = retryAfter;
    this.param = param;
  }

  /** The request field the rejection is about (OpenAI name, e.g. {@code tools}), null when none. */
  public String param() {
    return param;
  }

  public Reason reason() {
    return reason;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
