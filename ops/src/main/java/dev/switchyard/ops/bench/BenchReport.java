package dev.switchyard.ops.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the load benchmarks write their JSON results. */
final class BenchReport {
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
}
