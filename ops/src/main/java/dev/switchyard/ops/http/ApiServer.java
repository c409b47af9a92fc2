package dev.switchyard.ops.http;

import dev.switchyard.actors.Engine;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * Binds the API to a host and port. The binding joins the system's coordinated shutdown: on SIGTERM (or
 * {@code system.terminate()}) {@code /ready} turns 503 first (so a load balancer stops sending), then the
 * server stops accepting connections, lets in-flight requests finish for up to
 * {@code switchyard.http.shutdown-deadline}, and closes what is left.
 */
public final class ApiServer {
  private ApiServer() {}

  /** The production wiring: random request ids, the system clock, readiness tied to coordinated shutdown. */
  public static CompletionStage<ServerBinding> serve(ActorSystem<?> system, Engine engine, HttpSettings settings) {
    AtomicBoolean ready = new AtomicBoolean(true);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "switchyard-not-ready",
        () -> {
          ready.set(false);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    ApiRoutes routes = new ApiRoutes(engine, settings, Clock.systemUTC(),
        () -> UUID.randomUUID().toString().replace("-", ""), ready::get);
    return bind(system, routes, settings);
  }

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, ApiRoutes routes, HttpSettings settings) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(routes.route())
        .thenApply(binding -> binding.addToCoordinatedShutdown(settings.shutdownDeadline(), system));
  }
}
