package dev.switchyard.ops.http;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * Binds the API to a host and port. The binding joins the system's coordinated shutdown: on SIGTERM (or
 * {@code system.terminate()}) it stops accepting connections, lets in-flight requests finish for up to
 * {@code switchyard.http.shutdown-deadline}, then closes what is left.
 */
public final class ApiServer {
  private ApiServer() {}

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, ApiRoutes routes, HttpSettings settings) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(routes.route())
        .thenApply(binding -> binding.addToCoordinatedShutdown(settings.shutdownDeadline(), system));
  }
}
