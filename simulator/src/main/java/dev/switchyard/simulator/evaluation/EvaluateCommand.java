package dev.switchyard.simulator.evaluation;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.simulator.cli.DataLocator;
import dev.switchyard.simulator.cli.DataOption;
import dev.switchyard.simulator.cli.ExitCode;
import dev.switchyard.simulator.cli.SeedOption;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.data.DataFormatException;
import dev.switchyard.strategies.data.RecordedDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchyard evaluate}: trains strategies on the train split and reports their quality-cost frontiers
 * and summary metrics on the chosen split (see {@link Evaluation} and {@link Metrics} for the definitions).
 * Bad input (missing or malformed data file, unknown strategy, unknown split) ends with a one-line message
 * naming the flag or file and exit code 2, never a stack trace. A strategy that throws on the data is named
 * on stderr and left out; the others are still reported, and the exit code is 1.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Trains strategies on the train split and reports quality-cost frontiers on the test split.")
public final class EvaluateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  DataOption dataOption = new DataOption();

  @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "all",
      description = "A strategy name, a comma-separated list, or 'all' (default).")
  String strategy;

  @Option(names = "--split", defaultValue = "test", description = "Split to report on (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--test-share", defaultValue = "0.3", description = "For a file without a train split: the share of each task's queries in the test split of the seeded stratified split made instead (default: ${DEFAULT-VALUE}).")
  double testShare;

  @Mixin
  SeedOption seedOption = new SeedOption();

  @Option(names = "--out", paramLabel = "DIR", description = "Write summary.csv, frontiers.csv and report.html here.")
  Path out;

  @Option(names = "--budget-rule", defaultValue = "hull",
      description = "How quality at a budget is read off a frontier: hull (random mixing of two frontier points, "
          + "default) or step (best single frontier point within the budget).")
  String budgetRule;

  @Option(names = "--markdown", description = "Print the per-strategy table as Markdown (for docs/STRATEGIES.md).")
  boolean markdown;

  /** Runs the command on its own (the ops CLI registers it as {@code switchyard evaluate}). */
  public static void main(String[] args) {
    System.exit(new picocli.CommandLine(new EvaluateCommand()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter err = spec == null ? new PrintWriter(System.err, true) : spec.commandLine().getErr();
    PrintWriter outWriter = spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
    long started = System.nanoTime();
    Map<String, Supplier<Strategy>> catalog = StrategyCatalog.all();
    Map<String, Supplier<Strategy>> chosen = new LinkedHashMap<>();
    if (strategy.equals("all")) {
      chosen.putAll(catalog);
    } else {
      for (String name : strategy.split(",")) {
        String n = name.strip();
        if (!catalog.containsKey(n)) {
          err.println("error: --strategy '" + n + "' is not a known strategy; known: all, "
              + String.join(", ", catalog.keySet()));
          err.flush();
          return ExitCode.USAGE;
        }
        chosen.put(n, catalog.get(n));
      }
    }
    if (!(testShare > 0 && testShare < 1)) {
      err.println("error: --test-share must be between 0 and 1 (exclusive), got " + testShare);
      err.flush();
      return ExitCode.USAGE;
    }
    Metrics.BudgetRule rule;
    try {
      rule = Metrics.BudgetRule.valueOf(budgetRule.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      err.println("error: --budget-rule '" + budgetRule + "' is not one of: hull, step");
      err.flush();
      return ExitCode.USAGE;
    }
    long seed = seedOption.orElse(1);
    DataLocator.Located located = DataLocator.standard().locate(dataOption.given(), ConfigFactory.load());
    if (located.file().isEmpty()) {
      err.println("error: " + located.describeMissing());
      err.flush();
      return ExitCode.USAGE;
    }
    Path data = located.file().get();
    RecordedDataset dataset;
    Evaluation evaluation;
    try {
      dataset = RecordedDataset.load(data);
    } catch (DataFormatException e) {
      err.println("error: --data " + data + ": " + e.getMessage());
      err.flush();
      return ExitCode.USAGE;
    }
    if (!dataset.hasSplit("train")) {
      dataset = dataset.withStratifiedSplit(seed, testShare);
      outWriter.printf("note: %s has no train split: strategies train and report on a seeded split, stratified by"
          + " task (seed %d, %.0f%% of each task's queries in test)%n", data, seed, 100 * testShare);
      outWriter.flush();
    }
    List<String> splits = dataset.queries().stream().map(q -> q.split()).distinct().sorted().toList();
    if (!splits.contains("train") || !splits.contains(split)) {
      err.println("error: --split '" + split + "': strategies train on split 'train' and report on '" + split
          + "', but " + data + " has splits " + splits);
      err.flush();
      return ExitCode.USAGE;
    }
    evaluation = new Evaluation(dataset, split, seed, rule);
    List<String> failed = new java.util.ArrayList<>();
    List<PolicyResult> results = evaluation.runAll(chosen, (name, e) -> {
      failed.add(name);
      err.println("error: strategy '" + name + "' failed on " + data + " and is left out of the report: "
          + e.getClass().getSimpleName() + ": " + e.getMessage());
    });
    Yardstick y = evaluation.yardstick();
    if (markdown) {
      outWriter.print(Reports.markdown(results));
    } else {
      outWriter.print(Reports.terminalTable(results, y, dataset.name(), split));
    }
    if (out != null) {
      try {
        Reports.write(out, results, y, dataset.name(), split);
      } catch (IOException e) {
        err.println("error: --out " + out + ": cannot write reports: " + e.getMessage());
        err.flush();
        return ExitCode.USAGE;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    // Timing goes to stderr so that stdout (the table) stays identical across runs.
    err.println(String.format(Locale.ROOT, "evaluated %d strategies on %d %s queries in %.1f s%s", chosen.size(),
        evaluation.evaluated().size(), split, seconds, out == null ? "" : "; reports in " + out));
    err.flush();
    outWriter.flush();
    // some strategy threw: the report holds the others
    return failed.isEmpty() ? ExitCode.OK : ExitCode.FAILED;
  }
}
