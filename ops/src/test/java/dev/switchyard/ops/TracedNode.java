package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.fleet.FleetBuilder;
import dev.switchyard.actors.fleet.FleetConfig;
import dev.switchyard.ops.http.ApiKeys;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.HttpMetrics;
import dev.switchyard.ops.http.HttpSettings;
import dev.switchyard.ops.http.Tracing;
import dev.switchyard.simulator.backend.ReplayBackendFactory;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A node as {@code serve} builds it from a fleet file (the {@code openai} backends included), behind the real HTTP
 * API on a free port, tracing into an in-memory exporter of its own: the spans this node made.
 */
final class TracedNode implements AutoCloseable {
  final ActorSystem<Void> system;
  final String base;
  final InMemorySpanExporter spans;
  private final SdkTracerProvider provider;

  private TracedNode(ActorSystem<Void> system, String base, InMemorySpanExporter spans, SdkTracerProvider provider) {
    this.system = system;
    this.base = base;
    this.spans = spans;
    this.provider = provider;
  }

  /** @param settings HOCON settings over the defaults and the file, as flags would give them */
  static TracedNode start(Path fleetFile, Path stateDir, Map<String, Object> settings) throws Exception {
    FleetFiles.Loaded loaded = FleetFiles.read(fleetFile, Map.of()).orElseThrow();
    Map<String, Object> flags = new HashMap<>(settings);
    flags.put("switchyard.http.port", 0);
    flags.put("switchyard.state-dir", stateDir.toString());
    Config config = SwitchyardConfig.load(flags, loaded.file());
    ReplayBackendFactory replay = FleetFiles.replay(config, loaded);
    FleetConfig.Checked checked = FleetFiles.check(config, loaded, replay);
    assertTrue(checked.ok(), checked.problems().toString());

    InMemorySpanExporter spans = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans))
        .build();
    Tracing tracing = Tracing.of(provider);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard", config);
    try {
      EngineSetup setup = new FleetBuilder(config.getConfig("switchyard.fleet"),
          FleetFiles.backends(system, replay, tracing), EngineSettings.from(config).pool()).build(checked.fleet());
      Engine engine = EngineNode.start(system, setup, Clock.systemUTC(), HttpMetrics.disabled().registry());
      ServerBinding api = ApiServer.serve(system, engine, HttpSettings.fromConfig(config), HttpMetrics.disabled(),
          tracing, ApiKeys.NONE).toCompletableFuture().get(60, TimeUnit.SECONDS);
      return new TracedNode(system, "http://127.0.0.1:" + api.localAddress().getPort(), spans, provider);
    } catch (Exception | Error e) {
      system.terminate();
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
