package dev.switchyard.ops.http;

import static dev.switchyard.ops.http.TraceAttributes.*;

import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.protocol.Response;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The CLIENT span of one upstream attempt of an {@link OpenAiCompatibleBackend} (GenAI semantic conventions:
 * {@code chat <remote model>}, {@code gen_ai.*}, {@code server.address}/{@code server.port}), a child of the
 * request span whose {@code traceparent} the call carries (a root span for a call that carries none, such as a
 * learner's judge call). A pool's retry is another attempt, hence another span. A failed attempt has
 * {@code error.type}: the upstream's HTTP status when it answered one, else the failure kind ({@code TIMEOUT},
 * {@code SERVER_ERROR} for an unreachable server or a malformed answer).
 */
final class AttemptSpan {
  private final Span span;
  /** The upstream's HTTP status, 0 until it answered. */
  private volatile int status;

  private AttemptSpan(Span span) {
    this.span = span;
  }

  static AttemptSpan start(Tracer tracer, OpenAiBackendSettings settings, BackendRequest request) {
    URI uri = settings.completionsUri();
    int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    var builder = tracer.spanBuilder(CHAT + " " + settings.remoteModel())
        .setSpanKind(SpanKind.CLIENT)
        .setParent(Tracing.parent(request.traceparent()))
        .setAttribute(GEN_AI_OPERATION_NAME, CHAT)
        .setAttribute(GEN_AI_PROVIDER_NAME, OPENAI)
        .setAttribute(GEN_AI_SYSTEM, OPENAI)
        .setAttribute(GEN_AI_REQUEST_MODEL, settings.remoteModel())
        .setAttribute(SERVER_ADDRESS, uri.getHost())
        .setAttribute(SERVER_PORT, (long) port)
        .setAttribute(MODEL, settings.modelId())
        .setAttribute(ATTEMPT_ID, request.attemptId())
        .setAttribute(STREAM, request.streamTokens());
    if (request.maxTokens() > 0) {
      builder.setAttribute(GEN_AI_REQUEST_MAX_TOKENS, (long) request.maxTokens());
    }
    return new AttemptSpan(builder.startSpan());
  }

  /** The {@code traceparent} header sent upstream, so a traced server (vLLM, a gateway) joins the trace. */
  String traceparent() {
    return Tracing.traceparent(span);
  }

  /** The upstream answered with {@code status}. */
  void status(int status) {
    this.status = status;
    span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
  }

  /** The model the upstream says answered ({@code model} of its body). */
  void responseModel(String model) {
    if (model != null && !model.isEmpty()) {
      span.setAttribute(GEN_AI_RESPONSE_MODEL, model);
    }
  }

  /** {@code call}, ending this span when it completes. */
  CompletableFuture<Response> endWith(CompletableFuture<Response> call) {
    call.whenComplete(this::end);
    return call;
  }

  private void end(Response response, Throwable failure) {
    if (failure == null) {
      span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, (long) response.inputTokens());
      span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, (long) response.outputTokens());
      if (response.finishReason() != null) {
        span.setAttribute(GEN_AI_RESPONSE_FINISH_REASONS, List.of(response.finishReason()));
      }
    } else {
      Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
          : failure;
      String kind = t instanceof BackendException b ? b.kind().name() : t.getClass().getName();
      int answered = status;
      // the description names the kind only: a provider's message is not ours to export
      span.setAttribute(ERROR_TYPE, answered >= 400 ? Integer.toString(answered) : kind);
      span.setStatus(StatusCode.ERROR, kind);
    }
    span.end();
  }
}
