package dev.switchyard.ops;

import dev.switchyard.ops.bench.FairBenchmarkCommand;
import dev.switchyard.ops.bench.LoadBenchmarkCommand;
import dev.switchyard.ops.bench.RateBenchmarkCommand;
import dev.switchyard.simulator.learning.LearningBenchmarkCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code switchyard bench}: the benchmarks anyone can rerun. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: 'learning' (online learning on recorded outcomes), 'load' (closed-loop HTTP load against a"
        + " running 'serve' on this machine), 'rate' (open-loop load at fixed offered rates) and 'fair' (a quiet"
        + " tenant's latency beside a noisy one, with and without fair admission).",
    subcommands = {LearningBenchmarkCommand.class, LoadBenchmarkCommand.class, RateBenchmarkCommand.class,
        FairBenchmarkCommand.class})
public final class BenchCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing benchmark: choose 'learning', 'load', 'rate' or 'fair' (or --help)");
  }
}
