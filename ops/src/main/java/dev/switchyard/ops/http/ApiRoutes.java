package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.actors.Engine;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP API, assembled from its route groups: {@link ChatCompletionsRoutes} ({@code POST /v1/chat/completions},
 * OpenAI-compatible, with SSE streaming), {@link JobsRoutes} ({@code /v1/jobs...}), {@link FeedbackRoutes}
 * ({@code POST /v1/feedback}), {@link ServiceRoutes} ({@code GET /v1/models}, {@code /health}, {@code /ready},
 * {@code /metrics}), {@link AdminRoutes} ({@code /admin/pipelines/{name}/shadow|promote|policy}) and
 * {@link DashboardRoutes} ({@code GET /dashboard} and its snapshot {@code GET /admin/dashboard}); every {@code /v1}
 * request is counted and timed in {@link HttpMetrics} by route, pipeline and status, and with tracing on is a span
 * ({@link Tracing}).
 *
 * <p>Guarantees: every error, whichever group it comes from, goes through the one {@link ErrorMapping}: OpenAI's
 * error JSON with a fitting status (400 bad input, 404 unknown pipeline or route, 405 wrong method, 413 body too
 * large, 429/503 with {@code Retry-After} when the engine refuses, 504 on timeout, 500 otherwise with a reference
 * id and nothing else); request bodies are read with a size limit and parsed with tight JSON limits before
 * anything reaches the engine; request content is never logged. To add a route group, build it here and add it
 * to the open, admin or tenant routes.
 */
public final class ApiRoutes extends AllDirectives {
  private final Drain drain;
  private final ErrorMapping errors;
  private final List<Route> groups;

  /**
   * @param ids source of unique request ids (the query id is {@code chatcmpl-<id>})
   * @param ready false while the node starts or drains; {@code /ready} then answers 503
   */
  public ApiRoutes(Engine engine, HttpSettings settings, Clock clock, Supplier<String> ids, BooleanSupplier ready) {
    this(engine, settings, clock, ids, ready, new Drain());
  }

  /**
   * @param drain ends shortly before the shutdown drain deadline: every request still unanswered then gets a 503
   *     {@code shutting_down} error, and every open stream ends with a {@code shutting_down} error event (and, for
   *     chat, {@code data: [DONE]}), instead of being cut by the server's termination
   */
  public ApiRoutes(Engine engine, HttpSettings settings, Clock clock, Supplier<String> ids, BooleanSupplier ready,
      Drain drain) {
    this(engine, settings, clock, ids, ready, drain, HttpMetrics.disabled());
  }

  /** @param metrics the node's registry: what {@code GET /metrics} renders and the API records into */
  public ApiRoutes(Engine engine, HttpSettings settings, Clock clock, Supplier<String> ids, BooleanSupplier ready,
      Drain drain, HttpMetrics metrics) {
    this(engine, settings, clock, ids, ready, drain, metrics, Tracing.disabled(), ApiKeys.NONE);
  }

  /**
   * @param tracing a span per {@code /v1} request (and the trace context its model calls carry), or none
   * @param keys the API keys ({@code switchyard.auth}): with any configured, the tenant routes ({@code /v1/*})
   *     need a tenant's key and the admin routes an admin key; {@code /health}, {@code /ready},
   *     {@code /metrics} and the dashboard's page (not its data) stay open (see {@link Authentication})
   */
  public ApiRoutes(Engine engine, HttpSettings settings, Clock clock, Supplier<String> ids, BooleanSupplier ready,
      Drain drain, HttpMetrics metrics, Tracing tracing, ApiKeys keys) {
    this.drain = drain;
    ObjectMapper requestMapper = ChatCompletionRequest.mapper(settings);
    HttpReplies replies = new HttpReplies(new OpenAiJson(new ObjectMapper()));
    this.errors = new ErrorMapping(settings, ids, replies);
    RouteSupport support = new RouteSupport(engine, settings, drain, metrics, errors, tracing);
    Authentication auth = new Authentication(keys, errors);
    long startedAtSeconds = clock.instant().getEpochSecond();
    ServiceRoutes service = new ServiceRoutes(engine, ready, metrics, startedAtSeconds, replies, errors, support);
    // Open first (exact paths), then the admin prefix, then everything else as a tenant's: a route that is
    // neither open nor admin can only be reached with a tenant's key when keys are configured.
    DashboardRoutes dashboard = new DashboardRoutes(engine, metrics, settings, clock, replies.json(), errors);
    Route admin = concat(new AdminRoutes(engine, replies.json(), support::readBody, errors).route(),
        dashboard.snapshot());
    Route tenantRoutes = concat(
        new ChatCompletionsRoutes(engine, settings, clock, ids, requestMapper, replies, errors, support, auth)
            .route(),
        new FeedbackRoutes(engine, requestMapper, replies, errors, support, auth).route(),
        new JobsRoutes(engine, settings, ids, requestMapper, replies, errors, support, auth, keys).route(),
        service.models(auth));
    this.groups = List.of(
        service.open(),
        dashboard.page(),
        pathPrefixTest(PathMatchers.segment("admin"), () -> auth.admin(() -> admin)),
        auth.tenant(() -> tenantRoutes));
  }

  public Route route() {
    Route api = concat(groups.get(0), groups.subList(1, groups.size()).toArray(Route[]::new));
    // Built once here: a directive's inner route is evaluated for every request, so handlers built inside it
    // would be rebuilt for each one.
    Route rejectionsHandled = handleRejections(errors.rejectionHandler(), () -> api);
    ExceptionHandler exceptions = errors.exceptionHandler();
    return handleExceptions(exceptions, () -> rejectionsHandled);
  }

  /**
   * What a connection over {@code max-connections-per-client} (or the server's {@code max-connections}) gets for
   * its first request, before it is closed.
   */
  HttpResponse tooManyConnectionsResponse(int perClient, int inAll) {
    return errors.tooManyConnections(perClient, inAll);
  }

  /** The requests and streams in flight, which a shutdown drains. */
  Drain drain() {
    return drain;
  }
}
