package dev.switchyard.simulator.evaluation;

import dev.switchyard.simulator.cli.ExitCode;
import dev.switchyard.simulator.cli.SeedOption;
import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.artifact.FittedState;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import dev.switchyard.strategies.data.DataFormatException;
import dev.switchyard.strategies.data.RecordedDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchyard train}: fits one strategy of the catalog on the train split of a recording and writes a
 * {@link PolicyArtifact} ({@code policy = FILE} of a pipeline) that {@code serve} loads without fitting again,
 * with the strategy's frontier on the held-out split. An online learner is built as a pipeline's
 * {@code train-data} builds it and learns the train split ({@link LearnerTraining}); its artifact holds its
 * parameters, and a pipeline served from it keeps learning online. A file without a train or a test split gets a seeded
 * split stratified by task, and the output says so. Bad input ends with one line naming the flag and exit 2.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Fits a strategy on the train split of recorded outcomes and writes a policy artifact that"
        + " `serve` loads without fitting again.")
public final class TrainCommand implements Callable<Integer> {
  static final double DEFAULT_COST_WEIGHT = 0.5;

  @Spec
  CommandSpec spec;

  @Option(names = "--data", paramLabel = "FILE", required = true, description = "Recorded outcomes (queries.jsonl format).")
  Path data;

  @Option(names = "--strategy", paramLabel = "NAME", required = true, description = "A strategy of the catalog (`evaluate --help` lists them).")
  String strategy;

  @Option(names = "--models", paramLabel = "A,B,...", split = ",", description = "The recorded models to route between. Default: every model of the file.")
  List<String> models;

  @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A parameter of the strategy: cost-weight, the trade-off the artifact is served at unless the pipeline gives its own (default 0.5, as switchyard.fleet.cost-weight).")
  Map<String, String> params;

  @Mixin
  SeedOption seedOption = new SeedOption();

  @Option(names = "--test-share", defaultValue = "0.3", description = "For a file without a train or test split: the share of each task held out (default: ${DEFAULT-VALUE}).")
  double testShare;

  @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the artifact (JSON).")
  Path out;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LearnerCatalog.Entry learnerEntry = LearnerCatalog.all().get(strategy);
    if (!StrategyCatalog.all().containsKey(strategy) && learnerEntry == null) {
      return bad(err, "--strategy '" + strategy + "' is not a strategy of the catalog; known: "
          + String.join(", ", StrategyCatalog.all().keySet()) + "; online learners: "
          + String.join(", ", LearnerCatalog.all().keySet()));
    }
    // the engine's default trade-off (switchyard.fleet.cost-weight) unless --param gives one
    double costWeight = DEFAULT_COST_WEIGHT;
    Map<String, Object> learnerParams = new java.util.TreeMap<>();
    Set<String> known = new java.util.TreeSet<>(learnerEntry == null ? Set.of() : learnerEntry.defaults().keySet());
    known.add("cost-weight");
    if (params != null) {
      for (Map.Entry<String, String> p : params.entrySet()) {
        if (!known.contains(p.getKey())) {
          return bad(err, "--param " + p.getKey() + ": strategy " + strategy + " has no such parameter; its"
              + " parameters: " + String.join(", ", known));
        }
        if (!p.getKey().equals("cost-weight")) {
          learnerParams.put(p.getKey(), typed(p.getValue(), learnerEntry.defaults().get(p.getKey())));
          continue;
        }
        try {
          costWeight = Double.parseDouble(p.getValue());
        } catch (NumberFormatException e) {
          costWeight = Double.NaN;
        }
        if (!(costWeight >= 0) || Double.isInfinite(costWeight)) {
          return bad(err, "--param cost-weight must be a finite number >= 0, got '" + p.getValue() + "'");
        }
      }
    }
    if (!(testShare > 0 && testShare < 1)) {
      return bad(err, "--test-share must be between 0 and 1 (exclusive), got " + testShare);
    }
    long seed = seedOption.orElse(1);
    RecordedDataset dataset;
    String sha;
    try {
      dataset = RecordedDataset.load(data);
      sha = PolicyArtifact.sha256(data);
      if (models != null && !models.isEmpty()) {
        dataset = dataset.restrictedTo(models);
      }
    } catch (DataFormatException e) {
      return bad(err, "--data " + data + ": " + e.getMessage());
    } catch (IOException e) {
      return bad(err, "--data " + data + ": " + e.getMessage());
    }
    boolean generated = !dataset.hasSplit("train") || !dataset.hasSplit("test");
    if (generated) {
      dataset = dataset.withStratifiedSplit(seed, testShare);
      out.printf(Locale.ROOT, "note: %s has no train and test splits of its own: fitted and measured on a seeded"
          + " split, stratified by task (seed %d, %.0f%% of each task held out)%n", data, seed, 100 * testShare);
    }
    PolicyArtifact.DataFingerprint fingerprint = new PolicyArtifact.DataFingerprint(
        data.toAbsolutePath().normalize().toString(), sha, dataset.split("train").size(),
        dataset.split("test").size(), generated, seed);
    if (learnerEntry != null) {
      PolicyArtifact artifact;
      try {
        artifact = LearnerTraining.train(learnerEntry, learnerParams, costWeight, dataset, fingerprint, seed);
      } catch (IllegalArgumentException e) {
        return bad(err, "--strategy " + strategy + ": " + e.getMessage());
      }
      return written(out, err, artifact, dataset, "learned");
    }
    Evaluation evaluation = new Evaluation(dataset, "test", seed);
    Strategy fitted = StrategyCatalog.all().get(strategy).get();
    PolicyResult result = evaluation.strategy(strategy, fitted); // fits on train, replays the test split
    try {
      fitted.planner(costWeight);
    } catch (IllegalArgumentException e) {
      return bad(err, "--param cost-weight=" + costWeight + " is not a trade-off of " + strategy + ": "
          + e.getMessage() + " (its frontier's trade-offs: " + java.util.Arrays.toString(fitted.tradeoffs()) + ")");
    }
    List<PolicyArtifact.FrontierPoint> frontier = new ArrayList<>();
    result.points().forEach(p -> frontier.add(new PolicyArtifact.FrontierPoint(p.tradeoff(), p.quality(),
        p.costUsd())));
    return written(out, err, PolicyArtifact.offline(strategy, costWeight, dataset.models(), fingerprint, frontier,
        FittedState.encode(fitted)), dataset, "fitted");
  }

  private int written(PrintWriter out, PrintWriter err, PolicyArtifact artifact, RecordedDataset dataset,
      String how) {
    try {
      artifact.write(this.out);
    } catch (IOException e) {
      return bad(err, "--out " + this.out + ": " + e.getMessage());
    }
    out.printf(Locale.ROOT, "train: %s %s on %d train queries of %s (models %s); on the %d held-out queries:%n",
        strategy, how, dataset.split("train").size(), data, String.join(", ", dataset.models()),
        dataset.split("test").size());
    for (PolicyArtifact.FrontierPoint p : artifact.frontier()) {
      out.printf(Locale.ROOT, "  trade-off %-8.4g quality %.4f  mean cost %.3e USD%n", p.tradeoff(), p.quality(),
          p.meanCostUsd());
    }
    out.printf("written to %s%n", this.out);
    out.flush();
    return ExitCode.OK;
  }

  /** A --param value as the type of the learner's default for it (a number, or true/false), else the text. */
  private static Object typed(String value, Object defaultValue) {
    if (defaultValue instanceof Boolean) {
      return value.equals("true") ? Boolean.TRUE : value.equals("false") ? Boolean.FALSE : value;
    }
    if (defaultValue instanceof Number) {
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException e) {
        return value;
      }
    }
    return value;
  }

  private static int bad(PrintWriter err, String message) {
    err.println("switchyard train: " + message);
    err.flush();
    return ExitCode.USAGE;
  }
}
