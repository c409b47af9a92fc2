package dev.switchyard.ops.http;

import com.typesafe.config.Config;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.metrics.MetricsSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One node's meter registry as the HTTP API serves it: a Prometheus registry (when
 * {@code switchyard.metrics.enabled}) that the engine records into ({@link #registry()}, handed to
 * {@code EngineNode.start}) and that {@code GET /metrics} renders, plus the API's own meters:
 * {@code switchyard.http.requests} (a timer per route, pipeline and status: count and latency to the response
 * head) and {@code switchyard.stream.first.token} (time from a streamed chat completion's arrival to its first
 * answer content, per pipeline and answering model). Tags are bounded: the pipeline tag is a served pipeline's
 * name, or {@value #NO_PIPELINE} when the request named none of them (or could not be read that far).
 */
public final class HttpMetrics {
  /** The pipeline tag of a request that names no served pipeline (unknown, missing, or unreadable body). */
  public static final String NO_PIPELINE = "none";

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final MetricsSettings settings;

  private HttpMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus, MetricsSettings settings) {
    this.registry = registry;
    this.prometheus = prometheus;
    this.settings = settings;
  }

  /**
   * A Prometheus registry with the JVM's memory, thread, processor and uptime meters when
   * {@code switchyard.metrics.enabled}; else {@link #disabled}.
   */
  public static HttpMetrics fromConfig(Config config) {
    MetricsSettings settings = MetricsSettings.from(config);
    if (!settings.enabled()) {
      return new HttpMetrics(EngineMetrics.noRegistry(), null, settings);
    }
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(prometheus);
    new JvmThreadMetrics().bindTo(prometheus);
    new ProcessorMetrics().bindTo(prometheus);
    new UptimeMetrics().bindTo(prometheus);
    return new HttpMetrics(prometheus, prometheus, settings);
  }

  /** Records nothing and serves no {@code /metrics} (404 {@code metrics_disabled}): for API tests. */
  public static HttpMetrics disabled() {
    // never used to build a histogram that is kept: any valid bounds do
    return new HttpMetrics(EngineMetrics.noRegistry(), null,
        new MetricsSettings(false, List.of(Duration.ofSeconds(1)), List.of(Duration.ofMillis(1))));
  }

  /** The registry the engine of this node records into. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Whether meters are kept ({@code switchyard.metrics.enabled}); when not, every count reads 0. */
  boolean enabled() {
    return prometheus != null;
  }

  /** Every meter in the Prometheus text format (0.0.4); empty when metrics are disabled. */
  Optional<String> scrape() {
    return prometheus == null ? Optional.empty() : Optional.of(prometheus.scrape());
  }

  /** Starts measuring a request to {@code route}. */
  Request start(String route) {
    return new Request(route, System.nanoTime());
  }

  private Timer latencyTimer(String name, String description, String... tags) {
    return Timer.builder(name).description(description).tags(tags)
        .serviceLevelObjectives(settings.latencySlos()).register(registry);
  }

  /** One request's measurements; its pipeline is set once the request is known to name a served one. */
  final class Request {
    private final String route;
    private final long startedNanos;
    private volatile String pipeline = NO_PIPELINE;
    private final AtomicBoolean firstToken = new AtomicBoolean();

    private Request(String route, long startedNanos) {
      this.route = route;
      this.startedNanos = startedNanos;
    }

    /** The request names this served pipeline. */
    void pipeline(String name) {
      pipeline = name;
    }

    /** The response head is ready. */
    void completed(int status) {
      latencyTimer("switchyard.http.requests", "HTTP API requests by route, pipeline and status, timed to the "
          + "response head", "route", route, "pipeline", pipeline, "status", Integer.toString(status))
          .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    /** A stream's first answer content (or refusal) is ready; only the first call counts. */
    void firstToken(String model) {
      if (firstToken.compareAndSet(false, true)) {
        latencyTimer("switchyard.stream.first.token", "Time from a streamed chat completion's arrival to its "
            + "first answer content", "pipeline", pipeline, "model", model)
            .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
      }
    }
  }
}
