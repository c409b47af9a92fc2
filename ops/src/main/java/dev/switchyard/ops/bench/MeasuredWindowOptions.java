package dev.switchyard.ops.bench;

import com.typesafe.config.Config;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --warmup} and {@code --duration} of an open-loop benchmark: uncounted load, then the measured load. */
final class MeasuredWindowOptions {
  @Option(names = "--warmup", paramLabel = "DURATION",
      description = "Uncounted load before each measured run, e.g. 3s. Default: switchyard.bench.${COMMAND-NAME}.warmup.")
  String warmup;

  @Option(names = "--duration", paramLabel = "DURATION",
      description = "Measured load per run, e.g. 10s. Default: switchyard.bench.${COMMAND-NAME}.duration.")
  String duration;

  Duration warmup(Config defaults) {
    return BenchCli.durationOr("--warmup", warmup, defaults, "warmup");
  }

  Duration duration(Config defaults) {
    return BenchCli.durationOr("--duration", duration, defaults, "duration");
  }
}
