package dev.switchyard.actors.pool;

/**
 * A pool's measured service: exponentially weighted moving averages of its calls' latency and of its error rate
 * ({@code x <- alpha * sample + (1 - alpha) * x}, the first sample taken as it is), and from them how long a call
 * queued now would wait. What the pool publishes as its load and what deadline-aware admission estimates from.
 * Not thread-safe (one actor owns it).
 */
final class ServiceTimes {
  private final double alpha;
  private double latencyMs;
  private double errorRate;
  private boolean sampled;

  /** @param alpha {@code ewma-alpha}: the weight of the newest sample, in (0, 1] */
  ServiceTimes(double alpha) {
    this.alpha = alpha;
  }

  /** @param error whether the call failed in a way that counts against its backend */
  void sample(double callLatencyMs, boolean error) {
    if (!sampled) {
      latencyMs = callLatencyMs;
      errorRate = error ? 1 : 0;
      sampled = true;
    } else {
      latencyMs = alpha * callLatencyMs + (1 - alpha) * latencyMs;
      errorRate = alpha * (error ? 1 : 0) + (1 - alpha) * errorRate;
    }
  }

  /** Whether any call has finished yet (before that there is nothing to estimate from). */
  boolean sampled() {
    return sampled;
  }

  double latencyMs() {
    return latencyMs;
  }

  double errorRate() {
    return errorRate;
  }

  /**
   * How long a call queued now would wait for a worker: the {@code queued} calls ahead of it plus itself, each
   * taking the measured service time, drained by {@code parallel} slots (at least one). 0 before the first
   * measurement.
   */
  long expectedWaitMillis(int queued, long parallel) {
    if (!sampled) {
      return 0;
    }
    return Math.round(latencyMs * (queued + 1) / Math.max(1, parallel));
  }
}
