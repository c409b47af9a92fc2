package dev.switchyard.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.fleet.ConfigProblem;
import dev.switchyard.actors.fleet.FleetBuilder;
import dev.switchyard.actors.fleet.FleetConfig;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.actors.journal.JournalCheck;
import dev.switchyard.ops.http.ApiKeys;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.HttpMetrics;
import dev.switchyard.ops.http.TraceSettings;
import dev.switchyard.ops.http.Tracing;
import dev.switchyard.ops.http.HttpSettings;
import dev.switchyard.simulator.SimulatedFleet;
import dev.switchyard.simulator.backend.ReplayBackendFactory;
import dev.switchyard.simulator.cli.DataLocator;
import dev.switchyard.simulator.cli.DataOption;
import dev.switchyard.simulator.cli.ExitCode;
import dev.switchyard.simulator.cli.StateDirOption;
import dev.switchyard.strategies.data.DataFormatException;
import dev.switchyard.strategies.data.RecordedDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchyard serve}: an engine node behind the OpenAI-compatible HTTP API, alone on an embedded journal
 * ({@code single-node}, the default) or joining a cluster ({@code --profile cluster}), serving the fleet of
 * {@code --config FILE} (or the file {@code SWITCHYARD_CONFIG} names): its {@code switchyard.models} and
 * {@code switchyard.pipelines}, checked first as {@code switchyard config check} does. Without models
 * configured, it serves the simulated demo fleet (a recording's models replayed, its standard pipelines) and
 * says so. Runs until SIGTERM / Ctrl-C, then shuts down gracefully (readiness off, unbind, drain, stop).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Starts an engine node over the configured fleet (or the simulated demo fleet) and serves the"
        + " OpenAI-compatible HTTP API: alone on an embedded journal, or joining a cluster (--profile cluster).")
public final class ServeCommand implements Callable<Integer> {
  /** The extension the kubernetes profile loads: it starts Pekko Management and cluster bootstrap. */
  static final String CLUSTER_BOOTSTRAP = "org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap";

  @Spec
  CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration: switchyard.models, switchyard.pipelines and any other setting. Default: the file SWITCHYARD_CONFIG names, else none (the simulated demo fleet).")
  Path configFile;

  @Option(names = "--profile", paramLabel = "NAME[,NAME]", description = "Deployment profile from cluster-config:"
      + " single-node (embedded H2 journal, the node joins itself), cluster (PostgreSQL journal from SWITCHYARD_PG_URL,"
      + " SWITCHYARD_PG_USER, SWITCHYARD_PG_PASSWORD; seed nodes from SWITCHYARD_SEED_NODES; remoting on"
      + " SWITCHYARD_HOST:SWITCHYARD_PORT), kubernetes (cluster's journal and remoting, joined by cluster bootstrap"
      + " through the Kubernetes API; runs from kubernetes/target/lib, see docs/deploying-kubernetes.md); later ones"
      + " over earlier (cluster,aeron)."
      + " Default: SWITCHYARD_PROFILE, else single-node.")
  String profile;

  @Option(names = "--port", paramLabel = "PORT", description = "TCP port (0 = any free port). Default: switchyard.http.port (8080).")
  Integer port;

  @Option(names = "--host", paramLabel = "HOST", description = "Interface to bind. Default: switchyard.http.host (127.0.0.1)."
      + " A non-loopback address needs API keys (switchyard.auth.keys) or --allow-unauthenticated.")
  String host;

  @Option(names = "--allow-unauthenticated", description = "Serve on a non-loopback address without API keys: anyone"
      + " who reaches the port may call every model and send feedback. Default: switchyard.auth.allow-unauthenticated"
      + " (off).")
  boolean allowUnauthenticated;

  @Mixin
  DataOption data = new DataOption();

  @Mixin
  StateDirOption stateDir = new StateDirOption();

  @Option(names = "--latency-scale", paramLabel = "X", description = "Demo fleet only: multiplies recorded latencies (0 = as fast as possible, 1 = as recorded). Default: switchyard.serve.latency-scale (0).")
  Double latencyScale;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port != null && (port < 0 || port > 65535)) {
      return usage(err, "--port must be 0..65535, got " + port);
    }
    if (latencyScale != null && (!Double.isFinite(latencyScale) || latencyScale < 0)) {
      return usage(err, "--latency-scale must be a non-negative number, got " + latencyScale);
    }
    Map<String, Object> flags = new HashMap<>();
    if (port != null) {
      flags.put("switchyard.http.port", port);
    }
    if (host != null) {
      flags.put("switchyard.http.host", host);
    }
    if (stateDir.given() != null) {
      flags.put("switchyard.state-dir", stateDir.given().toAbsolutePath().normalize().toString());
    }
    if (latencyScale != null) {
      flags.put("switchyard.serve.latency-scale", latencyScale);
    }
    if (allowUnauthenticated) {
      flags.put("switchyard.auth.allow-unauthenticated", true);
    }
    Optional<FleetFiles.Loaded> file;
    Config config;
    try {
      file = FleetFiles.read(configFile, System.getenv());
      config = SwitchyardConfig.load(flags, file.map(FleetFiles.Loaded::file).orElse(ConfigFactory.empty()),
          SwitchyardConfig.profile(profile));
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage()); // names the profile or SWITCHYARD_SEED_NODES
    } catch (FleetFiles.Unreadable e) {
      return usage(err, e.getMessage());
    } catch (com.typesafe.config.ConfigException e) {
      return usage(err, e.getMessage());
    }
    Optional<String> extension = missingExtension(config);
    if (extension.isPresent()) {
      return usage(err, "pekko.extensions names " + extension.get() + ", which is not on the classpath: the"
          + " kubernetes profile's cluster bootstrap runs from the kubernetes module's classpath (kubernetes/target/lib,"
          + " as the image does; see docs/deploying-kubernetes.md)");
    }
    Optional<FleetConfig> fleet = Optional.empty();
    Tenants tenants = Tenants.NONE;
    ReplayBackendFactory replay = file.map(f -> FleetFiles.replay(config, f)).orElse(null);
    if (file.isPresent()) {
      FleetConfig.Checked checked = FleetFiles.check(config, file.get(), replay);
      if (!checked.ok()) {
        for (ConfigProblem p : checked.problems()) {
          err.println("switchyard serve: " + file.get().path() + ": " + p.line());
        }
        err.flush();
        return ExitCode.USAGE;
      }
      tenants = checked.fleet().tenants();
      if (FleetConfig.configured(config)) {
        fleet = Optional.of(checked.fleet());
      }
    }
    ApiKeys.Checked auth = ApiKeys.check(config, tenants);
    if (!auth.ok()) {
      String source = file.map(f -> f.path() + ": ").orElse("");
      auth.problems().forEach(p -> err.println("switchyard serve: " + source + p.line()));
      err.flush();
      return ExitCode.USAGE;
    }
    Optional<String> exposed = unauthenticatedExposure(config, auth.keys());
    if (exposed.isPresent()) {
      return usage(err, exposed.get());
    }
    if (fleet.isPresent() && (data.given() != null || latencyScale != null)) {
      return usage(err, (data.given() != null ? "--data" : "--latency-scale") + " is for the simulated demo fleet; the"
          + " configured fleet's replay models have their own data and latency-scale keys");
    }
    HttpSettings http = HttpSettings.fromConfig(config);
    TraceSettings traces;
    try {
      traces = TraceSettings.fromConfig(config);
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    }
    RecordedDataset dataset = null;
    String serving;
    if (fleet.isEmpty()) {
      DataLocator.Located located = DataLocator.standard().locate(data.given(), config);
      if (located.file().isEmpty()) {
        return usage(err, located.describeMissing());
      }
      try {
        dataset = RecordedDataset.load(located.file().get());
      } catch (DataFormatException e) {
        return usage(err, e.getMessage());
      }
      serving = String.format("no switchyard.models configured: serving the simulated demo fleet, %d recorded"
          + " queries x %d models replayed from %s (see README, \"In front of your models\")", dataset.size(),
          dataset.models().size(), located.file().get());
    } else {
      FleetConfig f = fleet.get();
      serving = String.format("%d models (%s) and %d pipelines from %s", f.models().size(),
          f.models().stream().map(m -> m.id() + " " + m.backend()).collect(Collectors.joining(", ")),
          f.pipelines().size(), file.get().path());
    }
    // Before the ActorSystem and its connection pool: a journal the node cannot use stops it here, in one line.
    Optional<JournalCheck.Problem> journal = JournalCheck.run(config);
    if (journal.isPresent()) {
      return usage(err, journal.get().line());
    }
    out.println("switchyard serve: " + serving);
    if (config.getStringList("pekko.extensions").contains(CLUSTER_BOOTSTRAP)) {
      Config discovery = config.getConfig("pekko.management.cluster.bootstrap.contact-point-discovery");
      out.printf("switchyard serve: joining by cluster bootstrap (%s discovery of service %s, %d contact points"
              + " needed); Pekko Management on %s:%d%n", discovery.getString("discovery-method"),
          discovery.getString("service-name"), discovery.getInt("required-contact-point-nr"),
          config.getString("pekko.management.http.hostname"), config.getInt("pekko.management.http.port"));
    }
    out.flush();

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard", config);
    CompletableFuture<Void> shutdownStarted = shutdownStarted(system);
    Tracing tracing = Tracing.fromSettings(traces);
    try {
      EngineSetup setup;
      if (fleet.isPresent()) {
        FleetBuilder builder = new FleetBuilder(config.getConfig("switchyard.fleet"),
            FleetFiles.backends(system, replay, tracing), EngineSettings.from(config).pool());
        builder.notes(fleet.get()).forEach(note -> out.println("switchyard serve: " + note));
        try {
          setup = builder.build(fleet.get());
        } catch (IllegalArgumentException e) {
          // a value a strategy refuses when it is built (the check cannot know every strategy's range)
          tracing.close();
          system.terminate();
          system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
          return usage(err, file.get().path() + ": " + e.getMessage());
        }
      } else {
        Config serve = config.getConfig("switchyard.serve");
        setup = SimulatedFleet.setup(dataset, new SimulatedFleet.Options(
            config.getDouble("switchyard.serve.latency-scale"), serve.getLong("seed"),
            serve.getInt("replicas-per-model"), Map.of()));
        // the demo fleet's names are known only now: an allow-list naming anything else stops the node here
        List<ConfigProblem> problems = new ArrayList<>();
        List<String> servable = new ArrayList<>();
        setup.models().forEach(m -> servable.add(m.id()));
        setup.pipelines().forEach(p -> servable.add(p.name()));
        tenants.checkServable(servable, problems);
        if (!problems.isEmpty()) {
          system.terminate();
          system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
          problems.forEach(p -> err.println("switchyard serve: " + file.get().path() + ": " + p.line()));
          err.flush();
          return ExitCode.USAGE;
        }
      }
      setup = setup.withTenants(tenants);
      HttpMetrics metrics = HttpMetrics.fromConfig(config);
      Engine engine = EngineNode.start(system, setup, Clock.systemUTC(), metrics.registry());
      ServerBinding binding = ApiServer.serve(system, engine, http, metrics, tracing, auth.keys())
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      String pipelines = engine.pipelines().stream().map(PipelineDefinition::name).collect(Collectors.joining(", "));
      out.printf("switchyard serve: listening on http://%s:%d (pipelines: %s)%n",
          binding.localAddress().getHostString(), binding.localAddress().getPort(), pipelines);
      out.println("switchyard serve: " + (auth.keys().enabled() ? "API keys required: "
          + auth.keys().tenantKeys().size() + " tenant key(s), " + auth.keys().adminKeys().size() + " admin key(s)"
          : "no API keys configured: the API is open to whoever reaches it"));
      out.println("switchyard serve: stop with Ctrl-C or SIGTERM (graceful: drains in-flight requests)");
      out.flush();
    } catch (Exception | Error e) {
      tracing.close();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw e;
    }
    // SIGTERM runs Pekko's coordinated shutdown (JVM shutdown hook); wait for it to finish.
    return awaitTermination(system, shutdownStarted, err, System::exit);
  }

  /**
   * Why the node must not start: it would bind {@code switchyard.http.host} on an address other machines reach
   * with no API key configured, unless {@code switchyard.auth.allow-unauthenticated} (--allow-unauthenticated)
   * says that is meant. A host name is resolved; one that does not resolve is for the bind to refuse.
   */
  static Optional<String> unauthenticatedExposure(Config config, ApiKeys keys) {
    String host = config.getString("switchyard.http.host");
    if (keys.enabled() || config.getBoolean("switchyard.auth.allow-unauthenticated")) {
      return Optional.empty();
    }
    boolean loopback;
    try {
      loopback = java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return Optional.empty();
    }
    if (loopback) {
      return Optional.empty();
    }
    return Optional.of("switchyard.http.host (--host) is " + host + ", not a loopback address, and no API key is"
        + " configured (switchyard.auth.keys): anyone who reaches the port could call every model. Configure keys"
        + " (`switchyard keys create --tenant NAME`), or pass --allow-unauthenticated"
        + " (switchyard.auth.allow-unauthenticated = on) if that is meant");
  }

  /** Completes when the coordinated shutdown starts, for whatever reason (SIGTERM, downing, a fatal error). */
  static CompletableFuture<Void> shutdownStarted(ActorSystem<?> system) {
    CompletableFuture<Void> started = new CompletableFuture<>();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "switchyard-exit-bound",
        () -> {
          started.complete(null);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return started;
  }

  /**
   * Until the actor system has terminated, but no longer than the coordinated shutdown's total timeout after it
   * started: then {@code exit} ({@code System::exit}) with {@link ExitCode#FAILED}, the threads still running named
   * on stderr. Pekko bounds every phase, yet the termination itself can wait forever: Artery (pekko-remote 1.7.0,
   * no shutdown-streams-timeout yet) waits without a deadline for its streams to complete, and over aeron-udp they
   * sometimes never do (pekko-stack.md gotcha 7; apache/pekko#3247). After a SIGTERM the JVM's own shutdown hooks
   * are bounded and end the process anyway (the exit below then only waits for them); a node downed by the split
   * brain resolver (exit-jvm) exits only once termination completes, so without this bound it would stay, never to
   * be restarted.
   */
  static int awaitTermination(ActorSystem<?> system, CompletableFuture<Void> shutdownStarted, PrintWriter err,
      IntConsumer exit) throws Exception {
    CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
    CompletableFuture.anyOf(terminated, shutdownStarted).get();
    long bound = CoordinatedShutdown.get(system).totalTimeout().toMillis();
    try {
      terminated.get(bound, TimeUnit.MILLISECONDS);
      return ExitCode.OK;
    } catch (java.util.concurrent.TimeoutException e) {
      err.println("switchyard serve: the actor system had not terminated " + bound + " ms after its shutdown"
          + " started; exiting. Threads still running: " + runningThreads());
      err.flush();
      exit.accept(ExitCode.FAILED);
      return ExitCode.FAILED;
    }
  }

  private static String runningThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon())
        .map(Thread::getName).sorted().collect(Collectors.joining(", "));
  }

  /**
   * The first class {@code pekko.extensions} names that cannot be loaded. Pekko would only log that and start
   * without it: a kubernetes node without cluster bootstrap would never join anything.
   */
  static Optional<String> missingExtension(Config config) {
    for (String name : config.getStringList("pekko.extensions")) {
      try {
        Class.forName(name, false, ServeCommand.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        return Optional.of(name);
      }
    }
    return Optional.empty();
  }

  private static int usage(PrintWriter err, String message) {
    err.println("switchyard serve: " + message);
    err.flush();
    return ExitCode.USAGE;
  }
}
