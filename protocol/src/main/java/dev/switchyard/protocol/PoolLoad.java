package dev.switchyard.protocol;

/**
 * A model pool's published load, so routers can spill to an equal-quality model instead of waiting.
 *
 * @param capacity how many requests the pool can hold (in flight plus queued) before it rejects
 * @param errorRate recent share of failed calls, 0..1
 * @param circuitOpen true while the pool refuses calls because its backend keeps failing
 */
public record PoolLoad(
    String modelId,
    int queued,
    int inFlight,
    int capacity,
    double ewmaLatencyMs,
    double errorRate,
    boolean circuitOpen,
    long timestampMillis)
    implements CrossNode {

  public static PoolLoad idle(String modelId) {
    return new PoolLoad(modelId, 0, 0, Integer.MAX_VALUE, 0, 0, false, 0);
  }

  /** Occupancy in 0..1 (1 = full, the next request is rejected). */
  public double utilisation() {
    return capacity <= 0 ? 1.0 : Math.min(1.0, (queued + inFlight) / (double) capacity);
  }
}
