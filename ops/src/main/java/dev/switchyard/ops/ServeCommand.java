package dev.switchyard.ops;

import com.typesafe.config.Config;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.journal.JournalCheck;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.HttpMetrics;
import dev.switchyard.ops.http.HttpSettings;
import dev.switchyard.ops.http.OpenAiBackendSettings;
import dev.switchyard.ops.http.OpenAiCompatibleBackend;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.simulator.SimulatedFleet;
import dev.switchyard.strategies.data.DataFormatException;
import dev.switchyard.strategies.data.RecordedDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchyard serve}: a one-node engine over the simulated fleet (recorded outcomes replayed as models;
 * models listed in {@code switchyard.openai-backends} are called for real instead), behind the HTTP API.
 * Runs until SIGTERM / Ctrl-C, then shuts down gracefully (readiness off, unbind, drain, stop).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Starts a one-node engine with the simulated fleet and serves the OpenAI-compatible HTTP API.")
public final class ServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--port", paramLabel = "PORT", description = "TCP port (0 = any free port). Default: switchyard.http.port (8080).")
  Integer port;

  @Option(names = "--host", paramLabel = "HOST", description = "Interface to bind. Default: switchyard.http.host (127.0.0.1).")
  String host;

  @Option(names = "--data", paramLabel = "PATH", description = "Recorded outcomes (queries.jsonl or its folder). Default: switchyard.data-path, else ../shared/data/zellinger-cascade9 next to the repository.")
  Path data;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Directory for node state (journal, snapshots). Default: switchyard.state-dir (./var).")
  Path stateDir;

  @Option(names = "--latency-scale", paramLabel = "X", description = "Multiplies recorded latencies (0 = as fast as possible, 1 = as recorded). Default: switchyard.serve.latency-scale (0).")
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
    if (stateDir != null) {
      flags.put("switchyard.state-dir", stateDir.toAbsolutePath().normalize().toString());
    }
    if (latencyScale != null) {
      flags.put("switchyard.serve.latency-scale", latencyScale);
    }
    Config config = SwitchyardConfig.load(flags);
    HttpSettings http = HttpSettings.fromConfig(config);

    DataLocator.Located located = DataLocator.locate(data, config);
    if (located.file().isEmpty()) {
      return usage(err, located.describeMissing());
    }
    RecordedDataset dataset;
    try {
      dataset = RecordedDataset.load(located.file().get());
    } catch (DataFormatException e) {
      return usage(err, e.getMessage());
    }
    // Before the ActorSystem and its connection pool: a journal the node cannot use stops it here, in one line.
    Optional<JournalCheck.Problem> journal = JournalCheck.run(config);
    if (journal.isPresent()) {
      return usage(err, journal.get().line());
    }
    out.printf("switchyard serve: %d recorded queries x %d models from %s%n", dataset.size(),
        dataset.models().size(), located.file().get());
    out.flush();

    Config serve = config.getConfig("switchyard.serve");
    var options = new SimulatedFleet.Options(config.getDouble("switchyard.serve.latency-scale"),
        serve.getLong("seed"), serve.getInt("replicas-per-model"), Map.of());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard", config);
    try {
      EngineSetup setup = withRealBackends(SimulatedFleet.setup(dataset, options), system,
          OpenAiBackendSettings.allFromConfig(config));
      HttpMetrics metrics = HttpMetrics.fromConfig(config);
      Engine engine = EngineNode.start(system, setup, Clock.systemUTC(), metrics.registry());
      ServerBinding binding = ApiServer.serve(system, engine, http, metrics).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      String pipelines = engine.pipelines().stream().map(PipelineDefinition::name).collect(Collectors.joining(", "));
      out.printf("switchyard serve: listening on http://%s:%d (pipelines: %s)%n",
          binding.localAddress().getHostString(), binding.localAddress().getPort(), pipelines);
      out.println("switchyard serve: stop with Ctrl-C or SIGTERM (graceful: drains in-flight requests)");
      out.flush();
    } catch (Exception | Error e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw e;
    }
    // SIGTERM runs Pekko's coordinated shutdown (JVM shutdown hook); wait for it to finish.
    system.getWhenTerminated().toCompletableFuture().get();
    return SwitchyardCli.EXIT_OK;
  }

  private static int usage(PrintWriter err, String message) {
    err.println("switchyard serve: " + message);
    err.flush();
    return SwitchyardCli.EXIT_USAGE;
  }

  /** Replaces the simulated backends of every model named in {@code switchyard.openai-backends}. */
  static EngineSetup withRealBackends(EngineSetup simulated, ActorSystem<?> system,
      List<OpenAiBackendSettings> real) {
    if (real.isEmpty()) {
      return simulated;
    }
    Map<String, ModelCard> cards = simulated.models().stream()
        .collect(Collectors.toMap(ModelCard::id, c -> c));
    Map<String, List<InferenceBackend>> backends = new LinkedHashMap<>(simulated.backends());
    for (OpenAiBackendSettings s : real) {
      ModelCard card = cards.get(s.modelId());
      if (card == null) {
        throw new IllegalArgumentException("switchyard.openai-backends names model '" + s.modelId()
            + "', which has no model card; known models: " + String.join(", ", cards.keySet()));
      }
      backends.put(s.modelId(), List.of(new OpenAiCompatibleBackend(system, s, card)));
    }
    return new EngineSetup(simulated.models(), backends, simulated.pipelines());
  }
}
