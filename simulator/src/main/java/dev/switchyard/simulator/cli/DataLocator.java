package dev.switchyard.ops;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the recorded-outcomes file: the {@code --data} flag if given (a {@code queries.jsonl} or its folder),
 * else {@code switchyard.data-path}, else the shared data set next to the repository
 * ({@code <switchyard.home>/../shared/data/zellinger-cascade9/queries.jsonl}; the launcher sets
 * {@code switchyard.home} to the repository root), else the same relative to the working directory.
 * Reports every place it looked when nothing is there.
 */
public final class DataLocator {
  public static final String DEFAULT_DATASET = "zellinger-cascade9";
  public static final String FILE_NAME = "queries.jsonl";

  private DataLocator() {}

  /** The outcome: the file found, or every candidate tried. */
  public record Located(Optional<Path> file, List<Path> tried) {
    public String describeMissing() {
      StringBuilder b = new StringBuilder("recorded data not found; looked at:");
      tried.forEach(p -> b.append("\n  ").append(p));
      b.append("\nPass --data PATH (a queries.jsonl file or its folder) or set SWITCHYARD_DATA.");
      return b.toString();
    }
  }

  public static Located locate(Path flag, Config config) {
    List<Path> candidates = new ArrayList<>();
    if (flag != null) {
      candidates.add(flag);
    } else {
      String configured = config.hasPath("switchyard.data-path") ? config.getString("switchyard.data-path") : "";
      if (!configured.isBlank()) {
        candidates.add(Path.of(configured));
      } else {
        String home = System.getProperty("switchyard.home");
        if (home != null && !home.isBlank()) {
          candidates.add(Path.of(home).resolve("../shared/data").resolve(DEFAULT_DATASET));
        }
        String shared = System.getProperty("switchyard.shared.data");
        if (shared != null && !shared.isBlank()) {
          candidates.add(Path.of(shared).resolve(DEFAULT_DATASET));
        }
        candidates.add(Path.of("../shared/data").resolve(DEFAULT_DATASET));
      }
    }
    Set<Path> tried = new LinkedHashSet<>();
    for (Path c : candidates) {
      Path file = Files.isDirectory(c) ? c.resolve(FILE_NAME) : c;
      Path normal = file.toAbsolutePath().normalize();
      tried.add(normal);
      if (Files.isRegularFile(normal)) {
        return new Located(Optional.of(normal), List.copyOf(tried));
      }
    }
    return new Located(Optional.empty(), List.copyOf(tried));
  }
}
