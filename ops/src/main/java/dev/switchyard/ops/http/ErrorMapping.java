package dev.switchyard.ops.http;

import dev.switchyard.actors.EngineRejection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.Rejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's one mapping from what a request can fail with (an {@link ApiError}, an {@link EngineRejection}, a
 * body too large or unreadable, a timeout, anything else) to OpenAI's error JSON with its status and
 * {@code Retry-After}; also what pekko-http's own rejections (405, unknown route) answer. Unexpected failures are
 * logged with a reference id and answered 500 with that id only: request content and stack traces never reach
 * the client.
 */
final class ErrorMapping extends AllDirectives {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);
  /** What a refusal that names no time of its own asks the client to wait. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  private final HttpSettings settings;
  private final Supplier<String> ids;
  private final HttpReplies replies;

  ErrorMapping(HttpSettings settings, Supplier<String> ids, HttpReplies replies) {
    this.settings = settings;
    this.ids = ids;
    this.replies = replies;
  }

  HttpResponse response(Throwable failure) {
    ApiError e = toApiError(failure);
    List<HttpHeader> headers = e.retryAfter() != null ? List.of(HttpReplies.retryAfter(e.retryAfter()))
        // RFC 9110: a 401 says which scheme the client should authenticate with
        : e.status() == 401 ? List.of(RawHeader.create("WWW-Authenticate", "Bearer realm=\"switchyard\""))
        : List.of();
    return replies.json(e.status(), replies.json().error(e), headers);
  }

  /** Maps anything a request can fail with to the API's error; unexpected failures are logged, not shown. */
  ApiError toApiError(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ApiError e) {
      return e;
    }
    if (t instanceof EntityStreamSizeException || t instanceof StreamLimitReachedException) {
      return tooLarge();
    }
    if (t instanceof EntityStreamException) {
      return new ApiError(400, "invalid_request_error", "the request body could not be read", null,
          "invalid_body", null);
    }
    if (t instanceof EngineRejection r) {
      return fromRejection(r);
    }
    if (t instanceof TimeoutException) {
      return new ApiError(504, "timeout_error", "the pipeline did not answer in time", null, "timeout", null);
    }
    String reference = ids.get();
    LOG.error("request failed unexpectedly (reference {})", reference, t);
    return new ApiError(500, "server_error", "internal error (reference " + reference + ")", null, "internal_error",
        null);
  }

  private static ApiError fromRejection(EngineRejection r) {
    String message = ApiError.excerptLong(r.getMessage());
    return switch (r.reason()) {
      case UNKNOWN_PIPELINE -> new ApiError(404, "invalid_request_error", message, "model", "model_not_found", null);
      case INVALID -> new ApiError(400, "invalid_request_error", message, null, "invalid_value", null);
      case UNSUPPORTED_FIELD -> new ApiError(400, "invalid_request_error", message, r.param(), "unsupported_field",
          null);
      case OVERLOADED -> new ApiError(429, "rate_limit_error", message, null, "overloaded",
          Optional.ofNullable(r.retryAfter()).orElse(DEFAULT_RETRY_AFTER));
      case UNAVAILABLE -> new ApiError(503, "server_error", message, null, "unavailable",
          Optional.ofNullable(r.retryAfter()).orElse(DEFAULT_RETRY_AFTER));
      case JOURNAL_UNAVAILABLE -> new ApiError(503, "server_error", message, null, "journal_unavailable",
          Optional.ofNullable(r.retryAfter()).orElse(DEFAULT_RETRY_AFTER));
      case TIMEOUT -> new ApiError(504, "timeout_error", message, null, "timeout", null);
      case UPSTREAM_FAILED -> new ApiError(502, "server_error", message, null, "upstream_failed", null);
      case NOT_FOUND -> new ApiError(404, "invalid_request_error", message, null, "not_found", null);
      case CONFLICT -> new ApiError(422, "invalid_request_error", message, "Idempotency-Key",
          "idempotency_key_reused", null);
      // the param names the tenant's limit (budget-usd-per-day, ...); the message, the tenant and what is left
      case BUDGET_EXHAUSTED -> new ApiError(402, "insufficient_quota", message, r.param(), "budget_exhausted",
          r.retryAfter());
      case TENANT_RATE_LIMITED -> new ApiError(429, "rate_limit_error", message, r.param(), "rate_limit_exceeded",
          Optional.ofNullable(r.retryAfter()).orElse(DEFAULT_RETRY_AFTER));
    };
  }

  /**
   * The admin API's error response ({@link AdminRoutes}): it names its pipeline in the path, not in a request
   * field, and its refusals are about the pipeline's shadow, so four refusals read in its own codes; anything else
   * is answered as by {@link #response}.
   */
  HttpResponse adminResponse(Throwable failure) {
    Throwable t = unwrap(failure);
    ApiError admin = t instanceof EngineRejection r ? fromAdminRejection(r) : null;
    return response(admin != null ? admin : t);
  }

  /** The admin API's code for a refusal, null where it answers as the rest of the API. */
  private static ApiError fromAdminRejection(EngineRejection r) {
    String message = ApiError.excerptLong(r.getMessage());
    return switch (r.reason()) {
      case UNKNOWN_PIPELINE -> new ApiError(404, "invalid_request_error", message, null, "pipeline_not_found", null);
      // the param names what in the artifact cannot serve the pipeline (body, strategy, models, policy)
      case INVALID -> new ApiError(400, "invalid_request_error", message, r.param(), "invalid_artifact", null);
      case NOT_FOUND -> new ApiError(404, "invalid_request_error", message, null, "shadow_not_found", null);
      case CONFLICT -> new ApiError(409, "invalid_request_error", message, null, "no_shadow", null);
      default -> null;
    };
  }

  /** A path under {@code /admin/pipelines/} that is not one of the admin API's routes. */
  ApiError noSuchAdminRoute() {
    return new ApiError(404, "invalid_request_error", "no such admin route; the admin API serves PUT, GET and"
        + " DELETE /admin/pipelines/{name}/shadow, POST /admin/pipelines/{name}/promote, GET"
        + " /admin/pipelines/{name}/policy and GET /admin/dashboard", null, "not_found", null);
  }

  ApiError tooLarge() {
    return new ApiError(413, "invalid_request_error",
        "request body exceeds the limit of " + settings.maxBodyBytes() + " bytes", null, "request_too_large", null);
  }

  ApiError shuttingDown() {
    return new ApiError(503, "server_error", "the server is shutting down and could not finish this request within"
        + " its drain time of " + settings.shutdownDeadline().toMillis() + " ms; send it again (to another node)",
        null, "shutting_down", DEFAULT_RETRY_AFTER);
  }

  /**
   * What a connection over {@code max-connections-per-client} (or the server's {@code max-connections}) gets for
   * its first request, before it is closed: a 503 the client can act on, instead of a connection closed unread.
   */
  HttpResponse tooManyConnections(int perClient, int inAll) {
    return response(new ApiError(503, "server_error", "too many connections: at most " + perClient
        + " open from one client address and " + inAll + " in all; reuse connections (keep-alive) or retry",
        null, "too_many_connections", DEFAULT_RETRY_AFTER))
        .addHeader(org.apache.pekko.http.javadsl.model.headers.Connection.create("close"));
  }

  /** The cause a future failed with, out of the wrappers that completion stages add. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Rethrows {@code failure} from a completion stage's handler without wrapping it twice. */
  static CompletionException rethrow(Throwable failure) {
    return failure instanceof CompletionException c ? c : new CompletionException(failure);
  }

  /** 405 naming the allowed methods, 404 naming the routes served, 400 for any other refusal. */
  RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rs -> {
          String allowed = rs.stream().map(r -> r.supported().name()).distinct().collect(Collectors.joining(", "));
          return complete(replies.json(405, replies.json().error(new ApiError(405, "invalid_request_error",
              "method not allowed here; allowed: " + allowed, null, "method_not_allowed", null)),
              List.of(RawHeader.create("Allow", allowed))));
        })
        .handle(Rejection.class, r -> complete(response(new ApiError(400, "invalid_request_error",
            "the request was refused: " + r.getClass().getSimpleName(), null, "bad_request", null))))
        .handleNotFound(complete(replies.json(404, replies.json().error(new ApiError(404, "invalid_request_error",
            "no such route; the API serves POST /v1/chat/completions, POST /v1/jobs, GET and DELETE /v1/jobs/{id},"
                + " GET /v1/jobs/{id}/events, POST /v1/feedback, GET /v1/models, GET /health, GET /ready,"
                + " GET /metrics, PUT, GET and DELETE /admin/pipelines/{name}/shadow,"
                + " POST /admin/pipelines/{name}/promote, GET /admin/pipelines/{name}/policy, GET /admin/dashboard,"
                + " GET /dashboard",
            null, "not_found", null)), List.of())))
        .build();
  }

  ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> complete(response(e)))
        .build();
  }
}
