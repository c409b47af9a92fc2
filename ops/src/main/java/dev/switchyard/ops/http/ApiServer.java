package dev.switchyard.ops.http;

import dev.switchyard.actors.Engine;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Binds the API to a host and port. The binding joins the system's coordinated shutdown: on SIGTERM (or
 * {@code system.terminate()}) {@code /ready} turns 503 first (so a load balancer stops sending), then the
 * server stops accepting connections and lets in-flight requests finish for the whole
 * {@code switchyard.http.shutdown-deadline} (the {@code service-requests-done} phase's timeout is derived from it,
 * see {@code SwitchyardConfig}). Nothing is cut: {@link #END_LEAD} before the deadline, a request still
 * unanswered gets a 503 {@code shutting_down} JSON error and an open stream ends with a {@code shutting_down}
 * error event.
 */
public final class ApiServer {
  /**
   * How long before the drain deadline the requests still open are answered 503 and open streams ended, so that
   * those last bytes are written before the server closes its connections at the deadline (Pekko's own
   * deadline response was seen lost to connections already closed).
   */
  static final Duration END_LEAD = Duration.ofSeconds(1);

  /** Time given to the connections left (idle keep-alive ones, or responses being written) once drained. */
  static final Duration CLOSE_IDLE = Duration.ofMillis(500);

  private ApiServer() {}

  /**
   * The production wiring: random request ids, the system clock, readiness tied to coordinated shutdown, and the
   * node's metrics (the registry the engine records into) behind {@code GET /metrics}.
   */
  public static CompletionStage<ServerBinding> serve(ActorSystem<?> system, Engine engine, HttpSettings settings,
      HttpMetrics metrics) {
    return serve(system, engine, settings, metrics, Tracing.disabled(), ApiKeys.NONE);
  }

  /**
   * {@link #serve(ActorSystem, Engine, HttpSettings, HttpMetrics)} with a span per request (the spans still
   * batched are exported when the system terminates) and the API keys of {@code switchyard.auth} (see
   * {@link Authentication}).
   */
  public static CompletionStage<ServerBinding> serve(ActorSystem<?> system, Engine engine, HttpSettings settings,
      HttpMetrics metrics, Tracing tracing, ApiKeys keys) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "switchyard-traces-flush", () -> CompletableFuture.supplyAsync(() -> {
          tracing.close();
          return Done.getInstance();
        }));
    AtomicBoolean ready = new AtomicBoolean(true);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "switchyard-not-ready",
        () -> {
          ready.set(false);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    ApiRoutes routes = new ApiRoutes(engine, settings, Clock.systemUTC(),
        // random (SecureRandom) UUIDs: a query id cannot be guessed from another, as a sequence could
        () -> UUID.randomUUID().toString().replace("-", ""), ready::get, new Drain(), metrics, tracing, keys);
    return bind(system, routes, settings);
  }

  /**
   * Binds {@code routes}, each connection through a {@link ConnectionGuard} (header timeout, connections per client
   * and in all), and joins coordinated shutdown: unbind in {@code service-unbind}; in
   * {@code service-requests-done} drain what is in flight (see {@link Drain}) for up to the shutdown deadline, then
   * close the remaining (idle) connections.
   */
  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, ApiRoutes routes, HttpSettings settings) {
    Duration deadline = settings.shutdownDeadline();
    // A tenth of a short drain, at most END_LEAD: the last responses and events need a moment to be written.
    Duration lead = deadline.dividedBy(10).compareTo(END_LEAD) < 0 ? deadline.dividedBy(10) : END_LEAD;
    int maxConnections = system.settings().config().getInt("pekko.http.server.max-connections");
    ConnectionGuard guard = new ConnectionGuard(system, routes.route().flow(system),
        routes.tooManyConnectionsResponse(settings.maxConnectionsPerClient(), maxConnections),
        settings.refusedConnectionGrace(), settings.headerTimeout(), settings.maxConnectionsPerClient(),
        maxConnections);
    Materializer mat = Materializer.matFromSystem(system);
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .connectionSource()
        .to(Sink.foreach(connection -> guard.accept(connection, mat)))
        .run(mat)
        .thenApply(binding -> {
          CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
          shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "switchyard-http-unbind",
              () -> binding.unbind().thenApply(unbound -> Done.getInstance()));
          shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "switchyard-http-drain",
              () -> routes.drain().finish(system, deadline, lead)
                  // our own close first: it ends each connection after its last answer, with a FIN; Pekko's
                  // terminate aborts (RST) what is still open at its deadline, and under load that cut answers
                  // already written but not yet read by the client (ConnectionCloseTest)
                  .thenCompose(idle -> guard.closeAll(CLOSE_IDLE))
                  .thenCompose(closed -> binding.terminate(CLOSE_IDLE))
                  .thenApply(terminated -> Done.getInstance()));
          return binding;
        });
  }
}
