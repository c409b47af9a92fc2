package dev.switchyard.ops;

import com.typesafe.config.Config;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.ops.http.ApiRoutes;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.Drain;
import dev.switchyard.ops.http.HttpMetrics;
import dev.switchyard.ops.http.HttpSettings;
import dev.switchyard.simulator.SimulatedFleet;
import dev.switchyard.strategies.data.RecordedDataset;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What {@code switchyard serve} runs, over the simulated fleet of {@link TinyDataset}: a one-node engine with its
 * journal under {@code dir}, behind the real HTTP API on a free port, and an HTTP client to call it.
 */
public final class TinyServer implements AutoCloseable {
  public final String base;
  private final ActorSystem<Void> system;
  private final Engine engine;
  private final HttpMetrics metrics;
  private final HttpSettings settings;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private TinyServer(ActorSystem<Void> system, String base, Engine engine, HttpMetrics metrics,
      HttpSettings settings) {
    this.system = system;
    this.base = base;
    this.engine = engine;
    this.metrics = metrics;
    this.settings = settings;
  }

  /** @param latencyScale multiplies the recorded latencies (50 ms for "small", 400 ms for "big") */
  public static TinyServer start(Path dir, double latencyScale) throws Exception {
    return start(dir, latencyScale, Map.of());
  }

  /** @param settings HOCON settings over the defaults, as a config file would give them */
  public static TinyServer start(Path dir, double latencyScale, Map<String, Object> settings) throws Exception {
    Path data = TinyDataset.write(dir);
    Map<String, Object> flags = new java.util.HashMap<>(settings);
    flags.put("switchyard.http.port", 0);
    flags.put("switchyard.state-dir", dir.resolve("state").toString());
    Config config = SwitchyardConfig.load(flags);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard", config);
    var setup = SimulatedFleet.setup(RecordedDataset.load(data),
        new SimulatedFleet.Options(latencyScale, 42, 1, Map.of()));
    HttpMetrics metrics = HttpMetrics.fromConfig(config);
    Engine engine = EngineNode.start(system, setup, Clock.systemUTC(), metrics.registry());
    HttpSettings http = HttpSettings.fromConfig(config);
    ServerBinding binding = ApiServer.serve(system, engine, http, metrics)
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new TinyServer(system, "http://127.0.0.1:" + binding.localAddress().getPort(), engine, metrics, http);
  }

  /**
   * The same engine's API on another free loopback port, every request going through {@code around} first (e.g. a
   * gate in front of it); its base URL.
   */
  public String serveAlsoBehind(UnaryOperator<Route> around) throws Exception {
    ApiRoutes routes = new ApiRoutes(engine, settings, Clock.systemUTC(), () -> UUID.randomUUID().toString(),
        () -> true, new Drain(), metrics);
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(around.apply(routes.route()))
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
