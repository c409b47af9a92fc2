package dev.switchyard.simulator.cli;

import com.typesafe.config.Config;
import dev.switchyard.simulator.SyntheticFleet;
import dev.switchyard.strategies.data.RecordedDataset;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Where a simulation's recorded outcomes come from. A path the user named must exist (else a clear error); when
 * the {@link DataLocator} finds no file in its default places, the seeded {@link SyntheticFleet} stands in and
 * {@link Resolved#notice} says where it looked, so the commands work on a fresh machine.
 */
final class DataSource {
  /** The data and how to describe it; {@code notice} is null unless the synthetic fleet stands in. */
  record Resolved(RecordedDataset data, String description, boolean synthetic, String notice) {}

  private DataSource() {}

  /** @param explicit the {@code --data} value, null when not given */
  static Resolved resolve(Path explicit, DataLocator locator, Config config, Config synthetic, long seed) {
    DataLocator.Located located = locator.locate(explicit, config);
    if (located.file().isPresent()) {
      Path p = located.file().get();
      RecordedDataset data = RecordedDataset.load(p);
      return new Resolved(data, p + " (" + data.size() + " queries, " + data.models().size() + " models)", false,
          null);
    }
    if (explicit != null) {
      throw new IllegalArgumentException(located.describeMissing());
    }
    Resolved fallback = synthetic(synthetic, seed);
    String tried = located.tried().stream().map(Path::toString).collect(Collectors.joining(", "));
    return new Resolved(fallback.data(), fallback.description(), true, "no recorded data found at " + tried
        + " (give one with --data PATH); running on the seeded synthetic fleet instead (" + fallback.description()
        + ")");
  }

  /** The seeded synthetic fleet, asked for. */
  static Resolved synthetic(Config synthetic, long seed) {
    RecordedDataset data = SyntheticFleet.fromConfig(synthetic, seed);
    return new Resolved(data, "synthetic fleet, seed " + seed + " (" + data.size() + " queries, "
        + data.models().size() + " models)", true, null);
  }
}
