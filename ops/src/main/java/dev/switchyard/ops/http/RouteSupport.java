package dev.switchyard.ops.http;

import dev.switchyard.actors.Engine;
import dev.switchyard.actors.PipelineDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * What every route group does the same way: read a bounded body, wait for the engine with a timeout, count and
 * time the request, answer (or end a stream) before the shutdown drain runs out, and refuse an unknown pipeline.
 */
final class RouteSupport extends AllDirectives {
  private final Engine engine;
  private final HttpSettings settings;
  private final Drain drain;
  private final HttpMetrics metrics;
  private final ErrorMapping errors;
  private final Tracing tracing;
  /** Built once (as in {@link ApiRoutes#route()}): an exception inside a traced route still ends its span. */
  private final ExceptionHandler exceptions;

  /** The route template of each metered route, by its metrics name: the span name and {@code http.route}. */
  private static final Map<String, String> HTTP_ROUTES = Map.of(
      "chat_completions", "/v1/chat/completions",
      "feedback", "/v1/feedback",
      "jobs", "/v1/jobs",
      "job_events", "/v1/jobs/{id}/events",
      "job", "/v1/jobs/{id}",
      "job_cancel", "/v1/jobs/{id}",
      "models", "/v1/models");

  RouteSupport(Engine engine, HttpSettings settings, Drain drain, HttpMetrics metrics, ErrorMapping errors,
      Tracing tracing) {
    this.engine = engine;
    this.settings = settings;
    this.drain = drain;
    this.metrics = metrics;
    this.errors = errors;
    this.tracing = tracing;
    this.exceptions = errors.exceptionHandler();
  }

  /**
   * The request body, at most {@code max-body-bytes} (declared or chunked: 413 either way; our own limit rather
   * than pekko's max-content-length) within {@code body-read-timeout} (else 408).
   */
  CompletionStage<byte[]> readBody(RequestEntity entity, Materializer mat) {
    if (entity.getContentLengthOption().orElse(0L) > settings.maxBodyBytes()) {
      entity.discardBytes(mat);
      return CompletableFuture.failedFuture(errors.tooLarge());
    }
    if (entity instanceof HttpEntity.Strict strict) {
      // The whole body came with the headers (as a small request's does): no stream to run, no time to wait.
      return CompletableFuture.completedFuture(strict.getData().toArray());
    }
    return entity.withoutSizeLimit().getDataBytes()
        .limitWeighted(settings.maxBodyBytes(), bytes -> (long) bytes.size())
        .completionTimeout(settings.bodyReadTimeout())
        .runFold(ByteString.emptyByteString(), ByteString::concat, mat)
        .<byte[]>thenApply(ByteString::toArray)
        .exceptionally(failure -> {
          if (ErrorMapping.unwrap(failure) instanceof TimeoutException) {
            throw new ApiError(408, "invalid_request_error", "the request body did not arrive within "
                + settings.bodyReadTimeout().toMillis() + " ms", null, "request_timeout", null);
          }
          throw ErrorMapping.rethrow(failure);
        });
  }

  /** {@code stage}, failed with a {@link TimeoutException} (504) unless it completes within {@code answer-timeout}. */
  <T> CompletionStage<T> withinAnswerTimeout(CompletionStage<T> stage) {
    return withTimeout(stage, settings.answerTimeout());
  }

  static <T> CompletionStage<T> withTimeout(CompletionStage<T> stage, Duration timeout) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(value);
      }
    });
    return out.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * {@code inner} with a fresh {@link HttpMetrics.Request} per request, recorded when its response is ready
   * (requests refused before a route takes them, e.g. 405, are not counted).
   */
  Route metered(String route, Function<HttpMetrics.Request, Route> inner) {
    return traced(route, (meter, span) -> inner.apply(meter));
  }

  /**
   * {@link #metered}, and with tracing on a {@link RequestSpan} per request (a SERVER span named after the
   * route's template), ended when its response is; {@link RequestSpan#NONE} when tracing is off.
   */
  Route traced(String route, BiFunction<HttpMetrics.Request, RequestSpan, Route> inner) {
    if (!tracing.enabled()) {
      return extractRequestContext(ctx -> {
        HttpMetrics.Request meter = metrics.start(route);
        return mapResponse(response -> {
          meter.completed(response.status().intValue());
          return response;
        }, () -> inner.apply(meter, RequestSpan.NONE));
      });
    }
    String template = HTTP_ROUTES.getOrDefault(route, route);
    return extractRequest(request -> {
      HttpMetrics.Request meter = metrics.start(route);
      RequestSpan span = RequestSpan.start(tracing.tracer(), request, template);
      return mapResponse(response -> {
        meter.completed(response.status().intValue());
        return span.responded(response);
      }, () -> handleExceptions(exceptions, () -> inner.apply(meter, span)));
    });
  }

  /** {@code response}, or the 503 {@code shutting_down} error if the drain ends first. */
  CompletionStage<HttpResponse> untilDrained(CompletionStage<HttpResponse> response) {
    CompletableFuture<Done> end = new CompletableFuture<>();
    Runnable deregister = drain.register(end);
    CompletableFuture<HttpResponse> out = new CompletableFuture<>();
    out.whenComplete((r, failure) -> deregister.run());
    response.whenComplete((r, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(r);
      }
    });
    end.thenRun(() -> out.complete(errors.response(errors.shuttingDown())));
    return out;
  }

  /**
   * Ends {@code frames} with {@code last} once the shutdown drain is about to run out ({@code streamsEnd}), so a
   * stream still open then finishes as a complete response with an explicit error rather than a cut connection.
   */
  Source<ByteString, NotUsed> endWhenDraining(Source<ByteString, NotUsed> frames, List<ByteString> last) {
    return Source.fromMaterializer((mat, attributes) -> {
      CompletableFuture<Done> end = new CompletableFuture<>();
      Runnable deregister = drain.register(end);
      return frames.merge(Source.completionStage(end).mapConcat(done -> last), true)
          .watchTermination((notUsed, finished) -> {
            finished.whenComplete((done, failure) -> deregister.run());
            return notUsed;
          });
    }).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** 404 {@code model_not_found} naming the pipelines served, before the engine is asked. */
  void requireKnownPipeline(String model) {
    boolean known = engine.pipelines().stream().anyMatch(p -> p.name().equals(model));
    if (!known) {
      String names = engine.pipelines().stream().map(PipelineDefinition::name).collect(Collectors.joining(", "));
      throw new ApiError(404, "invalid_request_error", "unknown model '" + ApiError.excerpt(model)
          + "': it names no pipeline of this server (GET /v1/models lists them: " + names + ")", "model",
          "model_not_found", null);
    }
  }
}
