package dev.switchyard.actors.backend;

import dev.switchyard.protocol.Response;
import java.util.concurrent.CompletionStage;

/**
 * One GPU replica or API endpoint serving one model. A {@code Worker} owns one and never has more calls in
 * flight on it than its pool's per-worker limit. Implementations: the simulated backends (simulator module)
 * and the OpenAI-compatible HTTP backend (ops module).
 *
 * <p>Contract: the returned stage completes with a {@link Response}, or fails with a {@link BackendException}
 * (any other exception is treated as {@code SERVER_ERROR}); it must not block the calling thread.
 */
public interface InferenceBackend {
  String modelId();

  CompletionStage<Response> complete(BackendRequest request);

  /** Releases connections; the default has nothing to release. */
  default void close() {}
}
