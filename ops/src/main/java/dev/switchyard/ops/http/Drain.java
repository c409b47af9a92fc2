package dev.switchyard.ops.http;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The HTTP server's requests and streams in flight, for a shutdown that cuts none of them. Each registers a
 * future of its own and deregisters once its response is complete (a stream: once its last byte is out), so
 * nothing accumulates on a server that never shuts down. {@link #finish} then waits until none is open, or until
 * {@code lead} before the deadline, when the ones still open are told to end ({@link #end}: a 503 JSON error,
 * a last error event), and at most until the deadline. Pekko HTTP's own graceful termination is not used for
 * this: it closes a connection once a streamed response has started, cutting the stream, and its deadline
 * response was seen lost to connections already closed. Thread-safe.
 */
public final class Drain {
  private final Set<CompletableFuture<Done>> open = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Done> idle = new CompletableFuture<>();
  private volatile boolean ended;
  private volatile boolean draining;

  /** Completes {@code onEnd} when the drain ends (at once if it has); the returned action deregisters it. */
  Runnable register(CompletableFuture<Done> onEnd) {
    open.add(onEnd);
    if (ended) {
      onEnd.complete(Done.getInstance());
    }
    return () -> {
      open.remove(onEnd);
      if (draining && open.isEmpty()) {
        idle.complete(Done.getInstance());
      }
    };
  }

  /**
   * Starts draining: completes once nothing is open, or at {@code deadline} at the latest; {@code lead} before
   * the deadline, whatever is still open is told to end.
   */
  CompletionStage<Done> finish(ActorSystem<?> system, Duration deadline, Duration lead) {
    draining = true;
    if (open.isEmpty()) {
      idle.complete(Done.getInstance());
    }
    system.scheduler().scheduleOnce(deadline.minus(lead), this::end, system.executionContext());
    system.scheduler().scheduleOnce(deadline, () -> idle.complete(Done.getInstance()), system.executionContext());
    return idle;
  }

  /** The drain time is (nearly) up: every open request and stream is told to finish now. */
  void end() {
    ended = true;
    open.forEach(f -> f.complete(Done.getInstance()));
  }

  int open() {
    return open.size();
  }
}
