package dev.switchyard.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  /** 3 significant digits: a percentile is the value at its nearest rank, within 0.1%. */
  private static final double PRECISION = 1e-3;

  @Test
  void percentileIsTheValueAtTheNearestRank() {
    LatencyHistogram h = LatencyHistogram.of(List.of(10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0));
    assertEquals(5.0, h.percentileMs(50), 5.0 * PRECISION);
    assertEquals(9.0, h.percentileMs(90), 9.0 * PRECISION);
    assertEquals(10.0, h.percentileMs(99), 10.0 * PRECISION);
    assertEquals(10.0, h.maxMs(), 10.0 * PRECISION);
    assertEquals(5.5, h.meanMs(), 1e-12);
    assertEquals(10, h.count());
  }

  @Test
  void largeLatenciesKeepThreeSignificantDigits() {
    LatencyHistogram h = LatencyHistogram.of(List.of(123_456.789, 0.25));
    assertEquals(123_456.789, h.maxMs(), 123_456.789 * PRECISION);
    assertEquals(0.25, h.percentileMs(50), 0.25 * PRECISION);
  }

  @Test
  void noValuesHaveNoPercentile() {
    LatencyHistogram h = new LatencyHistogram();
    assertTrue(Double.isNaN(h.percentileMs(50)));
    assertTrue(Double.isNaN(h.maxMs()));
    assertTrue(Double.isNaN(h.meanMs()));
  }
}
