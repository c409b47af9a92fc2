package dev.switchyard.actors.backend;

import dev.switchyard.protocol.Response;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

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

  /**
   * A call whose answer text reaches {@code tokens} piece by piece as the model generates it (on the backend's
   * thread; the consumer must not block), then completes like {@link #complete} with the whole answer. The
   * default streams nothing: the answer arrives whole when the call completes (a replay of recorded outcomes).
   */
  default StreamingCall stream(BackendRequest request, Consumer<String> tokens) {
    return new StreamingCall(complete(request), () -> {});
  }

  /**
   * A streaming call in flight.
   *
   * @param answer completes as {@link #complete}'s stage does
   * @param cancel stops the call (the caller timed it out): frees its connection; tokens may still arrive for
   *     a moment after
   */
  record StreamingCall(CompletionStage<Response> answer, Runnable cancel) {}

  /**
   * The request fields (OpenAI names, as {@link dev.switchyard.protocol.GenerationParams#fieldsGiven()}) this
   * backend cannot honour, e.g. a replay of recorded answers cannot call tools or follow a response format. The
   * engine refuses a query giving one of them when no model its pipeline may call can honour it, and a worker
   * fails a call giving one with {@code CLIENT_ERROR} instead of letting the backend answer as if it had not
   * been asked. Empty (everything is passed on) by default.
   */
  default Set<String> unhonouredFields() {
    return Set.of();
  }

  /** Releases connections; the default has nothing to release. */
  default void close() {}
}
