package dev.switchyard.ops.http;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * This node's OpenTelemetry tracer: a SERVER span per API request ({@link RequestSpan}) and a CLIENT span per
 * upstream attempt of an OpenAI-compatible backend, the latter a child of the former through the W3C
 * {@code traceparent} the query's model calls carry across actors and nodes
 * ({@link dev.switchyard.actors.backend.BackendRequest#traceparent()}). Built from {@link TraceSettings}: with
 * {@code exporter = none} (the default) it is {@link #disabled()} and nothing on the request path makes, parents
 * or propagates a span; with {@code otlp} spans are batched to the collector in the background (a collector that
 * is down loses spans, never requests).
 *
 * <p>No span attribute holds prompt or answer text, API keys or headers: only ids, model and pipeline names,
 * counts, cost and statuses.
 */
public final class Tracing implements AutoCloseable {
  static final String INSTRUMENTATION = "dev.switchyard";
  private static final Tracing DISABLED = new Tracing(null, null);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  /** Null when tracing is off. */
  private final Tracer tracer;
  /** The provider this instance built and shuts down; null when given one (or off). */
  private final SdkTracerProvider owned;

  private Tracing(Tracer tracer, SdkTracerProvider owned) {
    this.tracer = tracer;
    this.owned = owned;
  }

  /** No spans: the default, and what API tests use. */
  public static Tracing disabled() {
    return DISABLED;
  }

  /** As {@code switchyard.telemetry.traces} says: off, or an OTLP exporter behind a batch processor. */
  public static Tracing fromSettings(TraceSettings settings) {
    if (settings.exporter() == TraceSettings.Exporter.NONE) {
      return DISABLED;
    }
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME,
            settings.serviceName()))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.samplerRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter(settings)).build())
        .build();
    return new Tracing(provider.get(INSTRUMENTATION), provider);
  }

  /** Spans of {@code provider}, which its owner shuts down (tests give one with an in-memory exporter). */
  public static Tracing of(TracerProvider provider) {
    return new Tracing(provider.get(INSTRUMENTATION), null);
  }

  /** The OTLP exporter {@code settings} name; built without contacting the collector. */
  static SpanExporter exporter(TraceSettings settings) {
    String endpoint = settings.exportUri().toString();
    return switch (settings.protocol()) {
      case GRPC -> OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).build();
      case HTTP_PROTOBUF -> OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build();
    };
  }

  boolean enabled() {
    return tracer != null;
  }

  /** Only when {@link #enabled()}. */
  Tracer tracer() {
    return tracer;
  }

  /** The W3C {@code traceparent} of {@code span}, to carry to the spans made on its behalf elsewhere. */
  static String traceparent(Span span) {
    Map<String, String> carrier = new HashMap<>(2);
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), carrier, Map::put);
    return carrier.get("traceparent");
  }

  /** The context {@code traceparent} names, the root context when it is null or not a valid W3C value. */
  static Context parent(String traceparent) {
    if (traceparent == null) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", traceparent),
        MAP_GETTER);
  }

  /** Exports the spans still batched and stops the exporter (at the end of the node's coordinated shutdown). */
  @Override
  public void close() {
    if (owned != null) {
      owned.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
