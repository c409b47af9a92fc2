package dev.switchyard.simulator.learning;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.simulator.cli.DataLocator;
import dev.switchyard.simulator.cli.ExitCode;
import dev.switchyard.simulator.cli.SeedOption;
import dev.switchyard.strategies.data.RecordedDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Online-learning, multi-round and multi-step benchmarks on recorded outcomes. Trains on the train split,
 * reports on the test split; writes {@code learning-results.md} into {@code --out} and prints it.
 */
@Command(name = "learning", mixinStandardHelpOptions = true, description = "Online-learning, multi-round and multi-step benchmarks on recorded outcomes.")
public final class LearningBenchmarkCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, description = "recorded outcomes file (queries.jsonl) or its directory")
  Path data;

  @Mixin
  SeedOption seedOption = new SeedOption();

  @Option(names = "--out", defaultValue = "target/learning-bench", description = "directory for the results file")
  Path out;

  @Option(names = "--only", defaultValue = "all", description = "online | multi-round | multi-step | all")
  String only;

  /** Runs the benchmark without the ops CLI: {@code java -cp ... LearningBenchmarkCommand --data PATH}. */
  public static void main(String[] args) {
    System.exit(new picocli.CommandLine(new LearningBenchmarkCommand()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    long seed = seedOption.orElse(7);
    if (!only.matches("all|online|multi-round|multi-step")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--only must be online, multi-round, multi-step or all, got '" + only + "'");
    }
    DataLocator.Located located = DataLocator.standard().locate(data, ConfigFactory.load());
    if (located.file().isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), located.describeMissing());
    }
    Path file = located.file().get();
    RecordedDataset all = RecordedDataset.load(file);
    Config config = ConfigFactory.defaultOverrides()
        .withFallback(ConfigFactory.parseResources("switchyard-learning.conf")).resolve()
        .getConfig("switchyard.learning-bench");
    LearningBenchmarks bench = new LearningBenchmarks(all, seed, config);
    StringBuilder report = new StringBuilder();
    report.append("# Learning benchmarks\n\ndata: ").append(file).append(" (").append(all.size())
        .append(" queries), seed ").append(seed).append("\n\n");
    if (only.equals("all") || only.equals("online")) {
      report.append(LearningReport.online(bench.online()));
    }
    if (only.equals("all") || only.equals("multi-round")) {
      report.append(LearningReport.multiRound(bench.multiRound()));
    }
    if (only.equals("all") || only.equals("multi-step")) {
      report.append(LearningReport.multiStep(bench.multiStep()));
    }
    Files.createDirectories(out);
    Path result = out.resolve("learning-results.md");
    Files.writeString(result, report.toString(), StandardCharsets.UTF_8);
    System.out.println(report);
    System.out.println("written to " + result.toAbsolutePath());
    return ExitCode.OK;
  }
}
