package dev.switchyard.benchmarks;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.simulator.cli.DataLocator;
import dev.switchyard.strategies.data.RecordedDataset;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The recorded outcomes the benchmarks fit on and route over, found where the CLI and the tests find them
 * ({@link DataLocator}: {@code -Dswitchyard.shared.data}, then {@code ../shared/data} from the working directory).
 * Loaded once per JVM: each JMH fork runs one benchmark, but the smoke test asks several times.
 */
public final class RecordedData {
  private static volatile RecordedDataset loaded;

  private RecordedData() {}

  /** Where the data is, or empty; never throws, so a test can skip with the same message a benchmark fails with. */
  public static DataLocator.Located locate() {
    return DataLocator.standard().locate(null, ConfigFactory.empty());
  }

  /** The whole recorded data set (train and test splits); fails naming every path looked at when it is absent. */
  public static RecordedDataset dataset() {
    RecordedDataset d = loaded;
    if (d == null) {
      synchronized (RecordedData.class) {
        if (loaded == null) {
          DataLocator.Located located = locate();
          Optional<Path> file = located.file();
          if (file.isEmpty()) {
            throw new IllegalStateException(located.describeMissing()
                + "\nThe benchmarks need the recorded data: run them from the repository root (so that"
                + " ../shared/data/" + DataLocator.DEFAULT_DATASET + " resolves), or add"
                + " -jvmArgsAppend -Dswitchyard.shared.data=/path/to/shared/data to the JMH command line.");
          }
          loaded = RecordedDataset.load(file.get());
        }
        d = loaded;
      }
    }
    return d;
  }
}
