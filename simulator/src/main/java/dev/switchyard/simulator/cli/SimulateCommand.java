package dev.switchyard.simulator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.Durability;
import dev.switchyard.simulator.SimulatedFleet;
import dev.switchyard.simulator.backend.ChaosSchedule;
import dev.switchyard.simulator.backend.FaultPersona;
import dev.switchyard.simulator.workload.ArrivalProcess;
import dev.switchyard.simulator.workload.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs a workload with chaos injection through the engine against simulated GPU workers. Arrivals (Poisson,
 * bursty or diurnal, seeded) carry test-split queries and are sent open-loop; {@code --fault model=persona}
 * sets a replica persona from the start and {@code --chaos-schedule} switches personas at given times. The
 * report (throughput, goodput, latency percentiles, failures by kind, client-side shedding, quality, cost,
 * backend outcomes per model, a per-second timeline) is printed and, with {@code --out}, written as JSON.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Runs a workload with chaos injection through the engine against simulated GPU workers.")
public final class SimulateCommand implements Callable<Integer> {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  @Mixin
  DataOption data = new DataOption();

  @Option(names = "--workload", description = "poisson, bursty or diurnal. Default: switchyard.simulator.simulate.workload.")
  String workload;

  @Option(names = "--rate", description = "Mean arrivals per simulated second.")
  Double rate;

  @Option(names = "--duration", description = "Simulated run length, e.g. 60s, 2m, 500ms (a bare number is seconds).")
  String duration;

  @Option(names = "--pipeline", description = "Pipeline to send queries through, e.g. switchyard/cascade.")
  String pipeline;

  @Option(names = "--fault", paramLabel = "MODEL=PERSONA", description = "Fault persona of every replica of a "
      + "model from the start (repeatable): healthy, slow, gpu-slow, flaky-<pct>, error, 429-retry-after-<N>s, "
      + "truncate-stream, oom, lost-reply-<pct>, ...")
  Map<String, String> faults = new LinkedHashMap<>();

  @Option(names = "--chaos-schedule", paramLabel = "SCHEDULE|@FILE", description = "Persona switches in "
      + "simulated time, e.g. '30s:gpt-4o=error,90s:gpt-4o=healthy' (* = every model), or @file with one per line.")
  String chaosSchedule;

  @Option(names = "--latency-scale", paramLabel = "X", description = "Wall time per simulated millisecond (> 0).")
  Double latencyScale;

  @Option(names = "--replicas", paramLabel = "N", description = "Simulated GPU replicas per model.")
  Integer replicas;

  @Option(names = "--slo", description = "Latency objective for goodput, e.g. 5s.")
  String slo;

  @Option(names = "--max-in-flight", paramLabel = "N", description = "Outstanding queries beyond which the client sheds arrivals.")
  Integer maxInFlight;

  @Mixin
  SeedOption seed = new SeedOption();

  @Mixin
  StateDirOption stateDir = new StateDirOption();

  @Option(names = "--out", paramLabel = "FILE", description = "Also write the report as JSON to this file.")
  Path out;

  @Option(names = "--no-progress", description = "Do not draw the progress bar.")
  boolean noProgress;

  @Option(names = "--nodes", paramLabel = "N", description = "Run the engine on N local serve JVMs of one cluster"
      + " (as `cluster up` starts them, with a local PostgreSQL), each replaying the recorded data, and send the"
      + " queries through all nodes' HTTP API. Default: 1, the engine in this JVM.")
  Integer nodes;

  @Option(names = "--kill-node-at", paramLabel = "TIME:NODE", description = "With --nodes: SIGKILL node NODE"
      + " (1..N) at simulated TIME, e.g. 10s:2 (repeatable). Its queries are re-sent to the other nodes.")
  List<String> killNodeAt = new java.util.ArrayList<>();

  private final EngineLauncher launcher;
  private final PrintStream stdout;
  private final PrintStream err;
  private final Path workingDir;
  private final DataLocator locator;
  private final Config config;

  public SimulateCommand() {
    this(new LocalEngine(), System.out, System.err, Path.of(""), DataLocator.standard(), null);
  }

  /** For tests: recorded data is looked for from {@code workingDir} only. */
  SimulateCommand(EngineLauncher launcher, PrintStream stdout, PrintStream err, Path workingDir, Config config) {
    this(launcher, stdout, err, workingDir, new DataLocator(workingDir, List.of()), config);
  }

  private SimulateCommand(EngineLauncher launcher, PrintStream stdout, PrintStream err, Path workingDir,
      DataLocator locator, Config config) {
    this.locator = locator;
    this.launcher = launcher;
    this.stdout = stdout;
    this.err = err;
    this.workingDir = workingDir;
    this.config = config;
  }

  @Override
  public Integer call() {
    return CliSupport.run("simulate", err, this::run);
  }

  private int run() throws InterruptedException {
    Config cfg = config != null ? config : ConfigFactory.load();
    Config sim = cfg.getConfig("switchyard.simulator.simulate");
    String workloadName = workload != null ? workload : sim.getString("workload");
    double arrivalRate = CliSupport.positive("--rate", rate != null ? rate : sim.getDouble("rate"));
    double seconds = duration != null ? seconds("--duration", duration)
        : sim.getDuration("duration").toMillis() / 1000.0;
    CliSupport.positive("--duration", seconds);
    String pipelineName = pipeline != null ? pipeline : sim.getString("pipeline");
    double scale = CliSupport.positive("--latency-scale",
        latencyScale != null ? latencyScale : sim.getDouble("latency-scale"));
    int replicaCount = CliSupport.atLeast("--replicas",
        replicas != null ? replicas : cfg.getInt("switchyard.simulator.fleet.replicas-per-model"), 1);
    double sloMs = slo != null ? seconds("--slo", slo) * 1000 : sim.getDuration("slo").toMillis();
    int shedAbove = CliSupport.atLeast("--max-in-flight",
        maxInFlight != null ? maxInFlight : sim.getInt("max-in-flight"), 1);
    long s = seed.orElse(sim.getLong("seed"));
    Path state = workingDir.resolve(stateDir.given() != null ? stateDir.given()
        : Path.of(sim.getString("state-dir")));
    Duration timeout = sim.getDuration("answer-timeout");
    ArrivalProcess process;
    try {
      process = ArrivalProcess.named(workloadName, arrivalRate,
          cfg.getConfig("switchyard.simulator.workload"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--workload: " + e.getMessage(), e);
    }
    faults.forEach((model, persona) -> {
      try {
        FaultPersona.parse(persona);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--fault " + model + "=" + persona + ": " + e.getMessage(), e);
      }
    });
    ChaosSchedule chaos;
    try {
      chaos = ChaosSchedule.parse(readSchedule(chaosSchedule));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--chaos-schedule: " + e.getMessage(), e);
    }
    int nodeCount = CliSupport.atLeast("--nodes", nodes != null ? nodes : 1, 1);
    List<NodeKill> nodeKills = new java.util.ArrayList<>();
    for (String kill : killNodeAt) {
      nodeKills.add(NodeKill.parse(kill, nodeCount));
    }
    Optional<Path> located = Optional.empty();
    if (nodeCount > 1) {
      // the simulated workers live inside the node JVMs, where this process cannot switch their personas
      if (!faults.isEmpty() || chaosSchedule != null) {
        throw new IllegalArgumentException((faults.isEmpty() ? "--chaos-schedule" : "--fault") + " is not available"
            + " with --nodes: the simulated workers run inside the node JVMs; use --kill-node-at");
      }
      if (replicas != null) {
        throw new IllegalArgumentException("--replicas is not available with --nodes: each node has"
            + " switchyard.serve.replicas-per-model replicas per model");
      }
      DataLocator.Located found = locator.locate(data.given(), cfg);
      if (found.file().isEmpty()) {
        throw new IllegalArgumentException("--nodes needs recorded data the nodes can replay: "
            + found.describeMissing());
      }
      located = found.file();
    }
    DataSource.Resolved source = DataSource.resolve(located.orElse(data.given()), locator, cfg,
        cfg.getConfig("switchyard.simulator.synthetic"), s);
    if (source.notice() != null) {
      err.println(source.notice());
    }
    CliSupport.quietLogging();
    SimulatedFleet.Fleet fleet;
    try {
      fleet = SimulatedFleet.build(source.data(), new SimulatedFleet.Options(scale, s, replicaCount, faults), cfg);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--fault: " + e.getMessage(), e);
    }
    try (fleet) {
      chaos.checkModels(fleet.replicas().keySet());
      List<Workload.Arrival> arrivals = new Workload(process, fleet.test().queries()).generate(seconds, s);
      stdout.printf(Locale.ROOT, "%d arrivals (%s, %.2f/s, %.1f s) through %s; chaos events: %d%s%n",
          arrivals.size(), process.name(), arrivalRate, seconds, pipelineName, chaos.events().size(),
          nodeKills.isEmpty() ? "" : "; node kills: " + nodeKills.size());
      OpenLoopRun.Observed observed;
      ProgressBar bar = new ProgressBar(noProgress ? CliSupport.NULL_STREAM : err,
          !noProgress && ProgressBar.stderrIsTerminal(), pipelineName, arrivals.size(), System::nanoTime);
      String runId = "sim-" + Long.toString(System.currentTimeMillis(), 36);
      SimulationReport report;
      if (nodeCount == 1) {
        try (EngineLauncher.Running running = launcher.start(fleet.setup(), state, cfg)) {
          Engine engine = running.engine();
          servesOrRefuse(engine.pipelines().stream().map(PipelineDefinition::name).toList(), pipelineName);
          observed = OpenLoopRun.run((q, p) -> engine.answer(q, p, Durability.EPHEMERAL), pipelineName, arrivals,
              chaos, List.of(), fleet.replicas(), scale, shedAbove, timeout, runId, bar);
        }
        report = SimulationReport.of(source.description(), process.name(), arrivalRate, seconds,
            pipelineName, scale, s, faults, arrivals, observed, sloMs, fleet.replicas(),
            fleet.attemptsBilledMoreThanOnce().size(), null);
      } else {
        // the nodes replay the recording themselves: only a file can be handed to them
        Path file = located.orElseThrow();
        stdout.printf(Locale.ROOT, "starting %d nodes (serve --profile cluster --data %s) in %s%n", nodeCount, file,
            state.resolve("cluster").toAbsolutePath());
        try (NodesLauncher.Nodes cluster = nodesLauncher().start(nodeCount, file, state.resolve("cluster"), scale,
            cfg)) {
          servesOrRefuse(cluster.pipelines(), pipelineName);
          List<OpenLoopRun.TimedAction> kills = new java.util.ArrayList<>();
          for (NodeKill kill : nodeKills) {
            kills.add(new OpenLoopRun.TimedAction(kill.atSeconds(), String.format(Locale.ROOT,
                "%.1fs: node-%d killed (SIGKILL)", kill.atSeconds(), kill.node()), () -> cluster.kill(kill.node())));
          }
          observed = OpenLoopRun.run(cluster::answer, pipelineName, arrivals, chaos, kills, Map.of(), scale,
              shedAbove, timeout, runId, bar);
          report = SimulationReport.of(source.description(), process.name(), arrivalRate, seconds,
              pipelineName, scale, s, faults, arrivals, observed, sloMs, Map.of(), 0, cluster.counts());
        }
      }
      stdout.print(report.render());
      if (out != null) {
        Path file = workingDir.resolve(out);
        try {
          if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
          }
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
        } catch (IOException e) {
          throw new IllegalArgumentException("--out: cannot write " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        stdout.println("report written to " + file.toAbsolutePath());
      }
      return ExitCode.OK;
    }
  }

  private static void servesOrRefuse(List<String> served, String pipeline) {
    if (!served.contains(pipeline)) {
      throw new IllegalArgumentException("--pipeline: the engine does not serve " + pipeline + "; it serves " + served);
    }
  }

  /** The application's cluster launcher (ops provides it); absent when only the simulator is on the classpath. */
  private static NodesLauncher nodesLauncher() {
    return java.util.ServiceLoader.load(NodesLauncher.class).findFirst().orElseThrow(() ->
        new IllegalArgumentException("--nodes: no cluster launcher on the classpath (run it as `switchyard simulate`)"));
  }

  /** {@code --kill-node-at TIME:NODE}. */
  record NodeKill(double atSeconds, int node) {
    static NodeKill parse(String text, int nodes) {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("--kill-node-at: '" + text + "' is not TIME:NODE, e.g. 10s:2");
      }
      if (nodes < 2) {
        throw new IllegalArgumentException("--kill-node-at needs --nodes 2 or more");
      }
      double at = seconds("--kill-node-at", text.substring(0, colon));
      int node;
      try {
        node = Integer.parseInt(text.substring(colon + 1).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--kill-node-at: '" + text + "': the node is a number 1.." + nodes, e);
      }
      if (node < 1 || node > nodes) {
        throw new IllegalArgumentException("--kill-node-at: '" + text + "': node must be 1.." + nodes);
      }
      return new NodeKill(at, node);
    }
  }

  private String readSchedule(String value) {
    if (value == null || !value.startsWith("@")) {
      return value;
    }
    Path file = workingDir.resolve(value.substring(1));
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read schedule file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  /** Seconds in a duration such as {@code 60s}, {@code 2m}, {@code 500ms} or {@code 90}. */
  static double seconds(String flag, String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(flag + ": '" + text + "' is not a duration such as 60s, 2m or 500ms");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> v / 1000;
      case "m" -> v * 60;
      case "h" -> v * 3600;
      default -> v;
    };
  }
}
