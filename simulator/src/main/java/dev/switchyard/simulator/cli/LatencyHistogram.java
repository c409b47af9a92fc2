package dev.switchyard.simulator.cli;

import java.util.Collection;
import org.HdrHistogram.Histogram;

/**
 * Latencies in milliseconds and their percentiles, for every benchmark report (simulate, demo, bench load). Backed
 * by an HdrHistogram of microseconds with 3 significant digits: a percentile is within 0.1% of the recorded value
 * at that rank (nearest rank, as HdrHistogram defines it), and memory stays bounded however many values a run
 * records. The mean is exact. Not thread-safe: record from one thread, or under the caller's lock.
 */
public final class LatencyHistogram {
  private static final int SIGNIFICANT_DIGITS = 3;

  private final Histogram micros = new Histogram(SIGNIFICANT_DIGITS);
  private double sumMs;

  public static LatencyHistogram of(Collection<Double> millis) {
    LatencyHistogram h = new LatencyHistogram();
    millis.forEach(h::record);
    return h;
  }

  /** Records one latency; a negative one (a clock step) counts as 0. */
  public void record(double ms) {
    micros.recordValue(Math.max(0, Math.round(ms * 1000)));
    sumMs += Math.max(0, ms);
  }

  public long count() {
    return micros.getTotalCount();
  }

  /** The latency at {@code percentile} (0..100; 100 is the maximum); NaN when nothing was recorded. */
  public double percentileMs(double percentile) {
    return count() == 0 ? Double.NaN : micros.getValueAtPercentile(percentile) / 1000.0;
  }

  public double maxMs() {
    return count() == 0 ? Double.NaN : micros.getMaxValue() / 1000.0;
  }

  public double meanMs() {
    return count() == 0 ? Double.NaN : sumMs / count();
  }
}
