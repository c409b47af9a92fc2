package dev.switchyard.actors.metrics;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The metrics settings ({@code switchyard.metrics.*} in reference.conf), read once per node.
 *
 * @param enabled whether the node keeps a Prometheus registry and serves {@code GET /metrics}; when off the engine
 *     records into a registry that keeps nothing
 * @param latencyBuckets histogram bucket bounds (service-level objectives) of every LLM latency: request, query,
 *     model call and first-token timers
 * @param decisionBuckets histogram bucket bounds of the routing decision timer (a planner decides in microseconds
 *     to milliseconds, far below any LLM latency)
 */
public record MetricsSettings(boolean enabled, List<Duration> latencyBuckets, List<Duration> decisionBuckets) {
  public MetricsSettings {
    latencyBuckets = ascending("switchyard.metrics.latency-buckets", latencyBuckets);
    decisionBuckets = ascending("switchyard.metrics.decision-buckets", decisionBuckets);
  }

  /** Reads {@code switchyard.metrics} from a full configuration. */
  public static MetricsSettings from(Config root) {
    Config c = root.getConfig("switchyard.metrics");
    return new MetricsSettings(c.getBoolean("enabled"), c.getDurationList("latency-buckets"),
        c.getDurationList("decision-buckets"));
  }

  /** The latency bucket bounds as Micrometer's {@code serviceLevelObjectives} takes them. */
  public Duration[] latencySlos() {
    return latencyBuckets.toArray(Duration[]::new);
  }

  /** The routing decision bucket bounds as Micrometer's {@code serviceLevelObjectives} takes them. */
  public Duration[] decisionSlos() {
    return decisionBuckets.toArray(Duration[]::new);
  }

  private static List<Duration> ascending(String key, List<Duration> buckets) {
    if (buckets == null || buckets.isEmpty()) {
      throw new IllegalArgumentException(key + " must list at least one bucket bound");
    }
    for (int i = 0; i < buckets.size(); i++) {
      if (buckets.get(i).isNegative() || buckets.get(i).isZero()) {
        throw new IllegalArgumentException(key + " must hold durations > 0, got " + buckets.get(i));
      }
      if (i > 0 && buckets.get(i).compareTo(buckets.get(i - 1)) <= 0) {
        throw new IllegalArgumentException(key + " must be in strictly ascending order, got " + buckets);
      }
    }
    return List.copyOf(buckets);
  }
}
