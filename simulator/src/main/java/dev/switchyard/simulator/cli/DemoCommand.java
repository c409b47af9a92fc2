package dev.switchyard.simulator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.simulator.SimulatedFleet;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Replays recorded queries through two pipelines on a one-node engine and prints quality, cost and latency
 * tables. The engine serves a simulated fleet ({@link SimulatedFleet}) of the recorded models; the test split
 * (a seeded sample of {@code --limit} queries) goes through {@code switchyard/cascade} and
 * {@code switchyard/bandit} with at most {@code --concurrency} queries in flight, and each pipeline's quality
 * (mean recorded score of its answers), cost per query, calls per model and simulated latency percentiles
 * are printed next to every single model and the oracle on the same queries. Without recorded data the
 * seeded synthetic fleet stands in, so the command works on a fresh machine.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Replays recorded queries through two pipelines on a one-node engine and prints quality, cost "
        + "and latency tables.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin
  DataOption data = new DataOption();

  @Option(names = "--pipelines", paramLabel = "NAME", split = ",", description = "Pipelines to replay, in order "
      + "(comma-separated), e.g. switchyard/bandit,switchyard/pilot. Default: switchyard.simulator.demo.pipelines "
      + "(switchyard/cascade, switchyard/bandit).")
  List<String> pipelineNames;

  @Option(names = "--limit", paramLabel = "N", description = "Test queries to replay (seeded sample); 0 = all. "
      + "Default: switchyard.simulator.demo.limit (1000).")
  Integer limit;

  @Option(names = "--latency-scale", paramLabel = "X", description = "Wall time per simulated millisecond "
      + "(0 = as fast as possible, 1 = real time). Default: switchyard.simulator.demo.latency-scale (0.02).")
  Double latencyScale;

  @Option(names = "--concurrency", paramLabel = "N", description = "Queries in flight at once. Default: "
      + "switchyard.simulator.demo.concurrency (16).")
  Integer concurrency;

  @Mixin
  SeedOption seed = new SeedOption();

  @Mixin
  StateDirOption stateDir = new StateDirOption();

  @Option(names = "--replicas", paramLabel = "N", description = "Simulated GPU replicas per model. Default: "
      + "switchyard.simulator.fleet.replicas-per-model (2).")
  Integer replicas;

  @Option(names = "--synthetic", description = "Use the seeded synthetic fleet even if recorded data exists.")
  boolean synthetic;

  @Option(names = "--no-progress", description = "Do not draw the progress bar.")
  boolean noProgress;

  private final EngineLauncher launcher;
  private final PrintStream out;
  private final PrintStream err;
  private final Path workingDir;
  private final DataLocator locator;
  private final Config config;

  public DemoCommand() {
    this(new LocalEngine(), System.out, System.err, Path.of(""), DataLocator.standard(), null);
  }

  /** For tests: recorded data is looked for from {@code workingDir} only. */
  DemoCommand(EngineLauncher launcher, PrintStream out, PrintStream err, Path workingDir, Config config) {
    this(launcher, out, err, workingDir, new DataLocator(workingDir, List.of()), config);
  }

  private DemoCommand(EngineLauncher launcher, PrintStream out, PrintStream err, Path workingDir,
      DataLocator locator, Config config) {
    this.locator = locator;
    this.launcher = launcher;
    this.out = out;
    this.err = err;
    this.workingDir = workingDir;
    this.config = config;
  }

  @Override
  public Integer call() {
    return CliSupport.run("demo", err, this::run);
  }

  private int run() throws InterruptedException {
    Config cfg = config != null ? config : ConfigFactory.load();
    Config demo = cfg.getConfig("switchyard.simulator.demo");
    int n = CliSupport.atLeast("--limit", limit != null ? limit : demo.getInt("limit"), 0);
    double scale = CliSupport.nonNegative("--latency-scale",
        latencyScale != null ? latencyScale : demo.getDouble("latency-scale"));
    int inFlight = CliSupport.atLeast("--concurrency", concurrency != null ? concurrency : demo.getInt("concurrency"),
        1);
    int replicaCount = CliSupport.atLeast("--replicas",
        replicas != null ? replicas : cfg.getInt("switchyard.simulator.fleet.replicas-per-model"), 1);
    long s = seed.orElse(demo.getLong("seed"));
    Path state = workingDir.resolve(stateDir.given() != null ? stateDir.given()
        : Path.of(demo.getString("state-dir")));
    Duration timeout = demo.getDuration("answer-timeout");
    List<String> pipelines = pipelineNames != null && !pipelineNames.isEmpty() ? List.copyOf(pipelineNames)
        : demo.getStringList("pipelines");

    DataSource.Resolved source = synthetic
        ? DataSource.synthetic(cfg.getConfig("switchyard.simulator.synthetic"), s)
        : DataSource.resolve(data.given(), locator, cfg, cfg.getConfig("switchyard.simulator.synthetic"), s);
    if (source.notice() != null) {
      err.println(source.notice());
    }
    CliSupport.quietLogging();
    try (SimulatedFleet.Fleet fleet = SimulatedFleet.build(source.data(),
        new SimulatedFleet.Options(scale, s, replicaCount, Map.of()), cfg)) {
      List<RecordedQuery> queries = sample(fleet.test(), n, s);
      out.println("data: " + source.description());
      out.printf(Locale.ROOT, "replaying %d test queries through %s; %d replicas per model, latency scale %s, "
          + "concurrency %d, seed %d%n", queries.size(), pipelines, replicaCount, scale, inFlight, s);
      for (PipelineDefinition p : fleet.setup().pipelines()) {
        if (pipelines.contains(p.name())) {
          out.println("  " + p.name() + ": " + p.description());
        }
      }
      List<RunStats> results = new ArrayList<>();
      try (EngineLauncher.Running running = launcher.start(fleet.setup(), state, cfg)) {
        Engine engine = running.engine();
        List<String> served = engine.pipelines().stream().map(PipelineDefinition::name).toList();
        for (String p : pipelines) {
          if (!served.contains(p)) {
            throw new IllegalArgumentException("the engine does not serve pipeline " + p + "; it serves " + served);
          }
        }
        String runId = "demo-" + Long.toString(System.currentTimeMillis(), 36);
        boolean terminal = !noProgress && ProgressBar.stderrIsTerminal();
        for (String p : pipelines) {
          ProgressBar bar = noProgress ? new ProgressBar(CliSupport.NULL_STREAM, false, p, queries.size(),
              System::nanoTime) : new ProgressBar(err, terminal, p, queries.size(), System::nanoTime);
          results.add(ClosedLoopReplay.run(engine, p, queries, inFlight, timeout, runId + "/" + p, bar));
        }
      }
      out.println();
      out.println("quality = mean recorded score of the answers; latency = simulated end-to-end (sum of calls)");
      out.print(ReportTable.render(results, ReportTable.baselines(fleet.train().models(), queries),
          fleet.train().models()));
      return ExitCode.OK;
    }
  }

  /** A seeded sample of {@code limit} queries of the split, in the sample's order; all when limit is 0. */
  static List<RecordedQuery> sample(RecordedDataset split, int limit, long seed) {
    List<RecordedQuery> shuffled = split.shuffled(seed);
    return limit == 0 || limit >= shuffled.size() ? shuffled : shuffled.subList(0, limit);
  }
}
