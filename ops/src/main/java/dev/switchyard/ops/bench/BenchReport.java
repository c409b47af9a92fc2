package dev.switchyard.ops.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.simulator.cli.LatencyHistogram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How the load benchmarks report: their latencies in JSON, and where they write their results. */
final class BenchReport {
  private static final double[] PERCENTILES = {50, 90, 99, 99.9};

  private BenchReport() {}

  /** Writes {@code report} pretty-printed to {@code out}, creating its folder; returns the absolute path. */
  static Path write(Path out, ObjectNode report) throws IOException {
    Path target = out.toAbsolutePath();
    if (target.getParent() != null) {
      Files.createDirectories(target.getParent());
    }
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(target.toFile(), report);
    return target;
  }

  /**
   * Adds {@code field} to {@code into}: the latencies' p50, p90, p99 and p99.9, max and mean, in milliseconds at
   * microsecond resolution; each null when nothing was recorded.
   */
  static void putLatencies(ObjectNode into, String field, LatencyHistogram latencies) {
    ObjectNode node = into.putObject(field);
    for (double p : PERCENTILES) {
      putMillis(node, "p" + (p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p)),
          latencies.percentileMs(p));
    }
    putMillis(node, "max", latencies.maxMs());
    putMillis(node, "mean", latencies.meanMs());
  }

  private static void putMillis(ObjectNode node, String field, double ms) {
    if (Double.isNaN(ms)) {
      node.putNull(field);
    } else {
      node.put(field, Math.round(ms * 1000) / 1000.0);
    }
  }
}
