package dev.switchyard.ops.bench;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.ops.SwitchyardCli;
import dev.switchyard.ops.http.ApiRoutes;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.FakeEngine;
import dev.switchyard.ops.http.HttpSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;

/** The real HTTP API on 127.0.0.1 with a scripted engine behind it, for the load benchmarks' tests. */
final class ScriptedApiServer implements AutoCloseable {
  final FakeEngine engine = new FakeEngine();
  /** http://127.0.0.1:port, no path. */
  final String baseUrl;
  private final ActorSystem<Void> system;

  ScriptedApiServer(String name) throws Exception {
    var config = ConfigFactory.parseString("switchyard.http.port = 0").withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), name, config);
    AtomicLong ids = new AtomicLong();
    HttpSettings settings = HttpSettings.fromConfig(config);
    ServerBinding binding = ApiServer.bind(system,
        new ApiRoutes(engine, settings, Clock.systemUTC(), () -> "b" + ids.incrementAndGet(), () -> true), settings)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    baseUrl = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  /** Runs the CLI with {@code args}, its output and errors into the writers; returns the exit code. */
  static int run(StringWriter out, StringWriter err, String... args) {
    var cli = SwitchyardCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
