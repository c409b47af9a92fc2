package dev.switchyard.ops;

import com.typesafe.config.Config;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.fleet.ConfigProblem;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.ops.http.ApiKeys;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.HttpMetrics;
import dev.switchyard.ops.http.HttpSettings;
import dev.switchyard.ops.http.Tracing;
import dev.switchyard.simulator.SimulatedFleet;
import dev.switchyard.strategies.data.RecordedDataset;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * What {@code switchyard serve} runs, over the simulated fleet of {@link TinyDataset}: a one-node engine with its
 * journal under {@code dir}, behind the real HTTP API on a free port, and an HTTP client to call it.
 */
public final class TinyServer implements AutoCloseable {
  public final String base;
  private final ActorSystem<Void> system;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private TinyServer(ActorSystem<Void> system, String base) {
    this.system = system;
    this.base = base;
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
    ServerBinding binding = ApiServer.serve(system, engine, HttpSettings.fromConfig(config), metrics,
        Tracing.disabled(), apiKeys(config))
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new TinyServer(system, "http://127.0.0.1:" + binding.localAddress().getPort());
  }

  /** The API keys of {@code switchyard.auth} in {@code settings} (none unless given), as {@code serve} reads them. */
  private static ApiKeys apiKeys(Config config) {
    List<ConfigProblem> problems = new ArrayList<>();
    Tenants tenants = Tenants.parse(config, null, problems);
    ApiKeys.Checked keys = ApiKeys.check(config, tenants);
    problems.addAll(keys.problems());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("the test's settings are wrong: " + problems);
    }
    return keys.keys();
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
