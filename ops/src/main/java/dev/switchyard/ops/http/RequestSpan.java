package dev.switchyard.ops.http;

import static dev.switchyard.ops.http.TraceAttributes.*;

import dev.switchyard.protocol.QueryResult;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The SERVER span of one API request ({@link Tracing}): named {@code <method> <route>}, a child of the
 * {@code traceparent} the client sent if any, with the HTTP status and, for a chat completion, the pipeline
 * (its {@code gen_ai.request.model}), the query id, and from the result the answering model
 * ({@code gen_ai.response.model}), rounds, cost and tokens. It ends when the response is complete: at once for a
 * whole body, when its last byte is sent (or the client goes) for a stream. {@link #NONE}, when tracing is off,
 * does nothing and hands the engine no trace context.
 */
final class RequestSpan {
  static final RequestSpan NONE = new RequestSpan(null);

  /** Null for {@link #NONE}. */
  private final Span span;

  private RequestSpan(Span span) {
    this.span = span;
  }

  static RequestSpan start(Tracer tracer, HttpRequest request, String route) {
    String method = request.method().value();
    String parent = request.getHeader("traceparent").map(HttpHeader::value).orElse(null);
    return new RequestSpan(tracer.spanBuilder(method + " " + route)
        .setSpanKind(SpanKind.SERVER)
        .setParent(Tracing.parent(parent))
        .setAttribute(HTTP_REQUEST_METHOD, method)
        .setAttribute(HTTP_ROUTE, route)
        .setAttribute(URL_SCHEME, request.getUri().getScheme().isEmpty() ? "http" : request.getUri().getScheme())
        .startSpan());
  }

  /** The W3C trace context the engine's model calls carry for this request; null when untraced. */
  String traceparent() {
    return span == null ? null : Tracing.traceparent(span);
  }

  /** The request is a chat completion of {@code pipeline}, run as query {@code queryId}. */
  void chat(String pipeline, String queryId, int maxTokens, boolean stream) {
    if (span == null) {
      return;
    }
    span.setAttribute(GEN_AI_OPERATION_NAME, CHAT);
    span.setAttribute(GEN_AI_REQUEST_MODEL, pipeline);
    span.setAttribute(PIPELINE, pipeline);
    span.setAttribute(QUERY_ID, queryId);
    span.setAttribute(STREAM, stream);
    if (maxTokens > 0) {
      span.setAttribute(GEN_AI_REQUEST_MAX_TOKENS, (long) maxTokens);
    }
  }

  /** The engine's result: who answered (if anyone), in how many rounds, at what cost. */
  void result(QueryResult result) {
    if (span == null) {
      return;
    }
    if (result.answerModel() != null) {
      span.setAttribute(GEN_AI_RESPONSE_MODEL, result.answerModel());
      span.setAttribute(ANSWER_MODEL, result.answerModel());
    }
    span.setAttribute(ABSTAINED, result.abstained());
    span.setAttribute(ROUNDS, (long) result.rounds());
    span.setAttribute(COST_USD, result.costUsd());
    span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, (long) result.inputTokens());
    span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, (long) result.outputTokens());
  }

  /** Records the status; ends the span now, or when a streamed body ends. */
  HttpResponse responded(HttpResponse response) {
    if (span == null) {
      return response;
    }
    int status = response.status().intValue();
    span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
    if (status >= 500) {
      // a client's mistake (4xx) is not the server span's error (HTTP semantic conventions)
      span.setAttribute(ERROR_TYPE, Integer.toString(status));
      span.setStatus(StatusCode.ERROR);
    }
    if (response.entity() instanceof HttpEntity.Strict) {
      span.end();
      return response;
    }
    return response.withEntity(HttpEntities.createChunked(response.entity().getContentType(),
        response.entity().getDataBytes().watchTermination((mat, done) -> {
          done.whenComplete((ok, failure) -> {
            if (failure != null) {
              span.setAttribute(ERROR_TYPE, failure.getClass().getName());
              span.setStatus(StatusCode.ERROR);
            }
            span.end();
          });
          return mat;
        })));
  }
}
