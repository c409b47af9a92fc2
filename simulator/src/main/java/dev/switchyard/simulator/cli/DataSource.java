package dev.switchyard.simulator.cli;

import com.typesafe.config.Config;
import dev.switchyard.simulator.SyntheticFleet;
import dev.switchyard.strategies.data.RecordedDataset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a command's recorded outcomes come from. A path the user named must exist (else a clear error); when
 * the default path holds no file, the seeded {@link SyntheticFleet} stands in and {@link Resolved#notice} says
 * where it looked, so the commands work on a fresh machine.
 */
final class DataSource {
  /** The data and how to describe it; {@code notice} is null unless the synthetic fleet stands in. */
  record Resolved(RecordedDataset data, String description, boolean synthetic, String notice) {}

  private DataSource() {}

  /**
   * @param explicit the {@code --data} value, null when not given
   * @param defaultPath the configured default, relative to {@code workingDir}
   */
  static Resolved resolve(Path explicit, String defaultPath, Path workingDir, Config synthetic, long seed) {
    if (explicit != null) {
      Path p = workingDir.resolve(explicit).normalize();
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("--data: no such file: " + p.toAbsolutePath());
      }
      RecordedDataset data = RecordedDataset.load(p);
      return new Resolved(data, p.toAbsolutePath() + " (" + data.size() + " queries, " + data.models().size()
          + " models)", false, null);
    }
    Path p = workingDir.resolve(defaultPath).normalize();
    if (Files.isRegularFile(p)) {
      RecordedDataset data = RecordedDataset.load(p);
      return new Resolved(data, p.toAbsolutePath() + " (" + data.size() + " queries, " + data.models().size()
          + " models)", false, null);
    }
    Resolved fallback = synthetic(synthetic, seed);
    return new Resolved(fallback.data(), fallback.description(), true, "no recorded data found at "
        + p.toAbsolutePath() + " (give one with --data PATH); running on the seeded synthetic fleet instead ("
        + fallback.description() + ")");
  }

  /** The seeded synthetic fleet, asked for. */
  static Resolved synthetic(Config synthetic, long seed) {
    RecordedDataset data = SyntheticFleet.fromConfig(synthetic, seed);
    return new Resolved(data, "synthetic fleet, seed " + seed + " (" + data.size() + " queries, "
        + data.models().size() + " models)", true, null);
  }
}
