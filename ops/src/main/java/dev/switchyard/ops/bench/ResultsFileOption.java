package dev.switchyard.ops.bench;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --out}: where a benchmark writes its JSON results, {@code bench-<command>.json} unless given. */
final class ResultsFileOption {
  @Option(names = "--out", paramLabel = "FILE",
      description = "Where to write the JSON results. Default: bench-${COMMAND-NAME}.json.")
  Path out;

  Path out(CommandSpec spec) {
    return out != null ? out : Path.of("bench-" + spec.name() + ".json");
  }
}
