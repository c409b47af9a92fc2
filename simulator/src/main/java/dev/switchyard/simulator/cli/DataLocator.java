package dev.switchyard.simulator.cli;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the recorded-outcomes file for every command that reads one: the {@code --data} flag if given (a
 * {@code queries.jsonl} or its folder), else {@code switchyard.data-path} ({@code SWITCHYARD_DATA}), else the
 * shared data set next to the repository ({@code <switchyard.home>/../shared/data/zellinger-cascade9}; the launcher
 * sets {@code switchyard.home} to the repository root, and the build sets {@code switchyard.shared.data} for tests),
 * else the same relative to the working directory. Relative paths are taken from the working directory. When
 * nothing is there, {@link Located#describeMissing} names every place it looked.
 */
public final class DataLocator {
  public static final String DEFAULT_DATASET = "zellinger-cascade9";
  public static final String FILE_NAME = "queries.jsonl";

  private final Path workingDir;
  private final List<Path> sharedDataDirs;

  /**
   * @param sharedDataDirs folders holding data sets (the {@code shared/data} of a checkout), tried in order before
   *     {@code <workingDir>/../shared/data}
   */
  public DataLocator(Path workingDir, List<Path> sharedDataDirs) {
    this.workingDir = workingDir;
    this.sharedDataDirs = List.copyOf(sharedDataDirs);
  }

  /** The process's working directory and the shared data folders the launcher and the build name. */
  public static DataLocator standard() {
    List<Path> shared = new ArrayList<>();
    String home = System.getProperty("switchyard.home");
    if (home != null && !home.isBlank()) {
      shared.add(Path.of(home).resolve("../shared/data"));
    }
    String sharedData = System.getProperty("switchyard.shared.data");
    if (sharedData != null && !sharedData.isBlank()) {
      shared.add(Path.of(sharedData));
    }
    return new DataLocator(Path.of(""), shared);
  }

  /** The outcome: the file found, or every candidate tried. */
  public record Located(Optional<Path> file, List<Path> tried) {
    /** What to tell the user when {@link #file} is empty: every place looked at, and how to name another. */
    public String describeMissing() {
      StringBuilder b = new StringBuilder("recorded data not found; looked at:");
      tried.forEach(p -> b.append("\n  ").append(p));
      b.append("\nPass --data PATH (a queries.jsonl file or its folder) or set SWITCHYARD_DATA.");
      return b.toString();
    }
  }

  /** @param flag the {@code --data} value, null when not given */
  public Located locate(Path flag, Config config) {
    List<Path> candidates = new ArrayList<>();
    if (flag != null) {
      candidates.add(flag);
    } else {
      String configured = config.hasPath("switchyard.data-path") ? config.getString("switchyard.data-path") : "";
      if (!configured.isBlank()) {
        candidates.add(Path.of(configured));
      } else {
        sharedDataDirs.forEach(dir -> candidates.add(dir.resolve(DEFAULT_DATASET).resolve(FILE_NAME)));
        candidates.add(Path.of("../shared/data").resolve(DEFAULT_DATASET).resolve(FILE_NAME));
      }
    }
    Set<Path> tried = new LinkedHashSet<>();
    for (Path c : candidates) {
      Path place = workingDir.resolve(c);
      Path file = Files.isDirectory(place) ? place.resolve(FILE_NAME) : place;
      Path normal = file.toAbsolutePath().normalize();
      tried.add(normal);
      if (Files.isRegularFile(normal)) {
        return new Located(Optional.of(normal), List.copyOf(tried));
      }
    }
    return new Located(Optional.empty(), List.copyOf(tried));
  }
}
