package dev.switchyard.actors.pool;

import dev.switchyard.actors.EngineSettings.PoolSettings;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One GPU replica or API endpoint of a model pool: turns a dispatched call into a backend call (never blocking:
 * the backend's stage is piped back to this actor), times a call out after {@code backend-timeout}, and reports
 * every finished call to its pool. The pool decides how many calls a worker has in flight and which failed
 * calls are tried again where ({@code switchyard.pool.retry}); the worker just runs what it is given.
 */
public final class Worker extends AbstractBehavior<Worker.Command> {
  public interface Command extends CrossNode {}

  /** Run this call on the backend. */
  public record Run(BackendRequest request) implements Command {}

  record BackendFinished(String attemptId, long tryNo, Response response, String failureKind, String message,
      long retryAfterMillis) implements Command {}

  record TimedOut(String attemptId, long tryNo) implements Command {}

  /** @param tryNo tells this run's completion and timeout from those of an earlier run of the same attempt */
  private record Call(BackendRequest request, long startedAt, long tryNo) {}

  private final int index;
  private final InferenceBackend backend;
  private final ActorRef<ModelPool.Command> pool;
  private final PoolSettings settings;
  private final Clock clock;
  private final TimerScheduler<Command> timers;
  private long runs;
  private final Map<String, Call> running = new HashMap<>();

  public static Behavior<Command> create(int index, InferenceBackend backend, ActorRef<ModelPool.Command> pool,
      PoolSettings settings, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new Worker(ctx, index, backend, pool, settings, clock, timers)));
  }

  private Worker(ActorContext<Command> ctx, int index, InferenceBackend backend, ActorRef<ModelPool.Command> pool,
      PoolSettings settings, Clock clock, TimerScheduler<Command> timers) {
    super(ctx);
    this.index = index;
    this.backend = backend;
    this.pool = pool;
    this.settings = settings;
    this.clock = clock;
    this.timers = timers;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Run.class, this::onRun)
        .onMessage(BackendFinished.class, this::onFinished)
        .onMessage(TimedOut.class, this::onTimedOut)
        .build();
  }

  private Behavior<Command> onRun(Run run) {
    start(new Call(run.request(), clock.millis(), ++runs));
    return this;
  }

  private void start(Call call) {
    String attemptId = call.request().attemptId();
    running.put(attemptId, call);
    CompletionStage<Response> stage;
    List<String> unhonoured = call.request().unhonouredBy(backend);
    try {
      stage = unhonoured.isEmpty() ? backend.complete(call.request())
          : java.util.concurrent.CompletableFuture.failedFuture(new BackendException(
              BackendException.Kind.CLIENT_ERROR, "model " + backend.modelId() + " is served by a backend that"
                  + " cannot honour " + String.join(", ", unhonoured)));
    } catch (RuntimeException e) {
      stage = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    long tryNo = call.tryNo();
    getContext().pipeToSelf(stage, (response, error) -> finished(attemptId, tryNo, response, error));
    timers.startSingleTimer(timerKey(attemptId), new TimedOut(attemptId, tryNo), settings.backendTimeout());
  }

  private static BackendFinished finished(String attemptId, long tryNo, Response response, Throwable error) {
    if (error == null) {
      return new BackendFinished(attemptId, tryNo, response, null, null, -1);
    }
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof BackendException be) {
      long retry = be.retryAfter() == null ? -1 : saturatedMillis(be.retryAfter());
      return new BackendFinished(attemptId, tryNo, null, be.kind().name(), be.getMessage(), retry);
    }
    return new BackendFinished(attemptId, tryNo, null, BackendException.Kind.SERVER_ERROR.name(),
        cause.getClass().getSimpleName() + ": " + cause.getMessage(), -1);
  }

  private Behavior<Command> onFinished(BackendFinished done) {
    Call call = running.get(done.attemptId());
    if (call == null || call.tryNo() != done.tryNo()) {
      return this; // timed out earlier: the pool already heard about it
    }
    timers.cancel(timerKey(done.attemptId()));
    report(call, done.response(), done.failureKind(), done.message(), done.retryAfterMillis());
    return this;
  }

  private Behavior<Command> onTimedOut(TimedOut timeout) {
    Call call = running.get(timeout.attemptId());
    if (call != null && call.tryNo() == timeout.tryNo()) {
      report(call, null, BackendException.Kind.TIMEOUT.name(),
          "no answer from the backend within " + settings.backendTimeout(), -1);
    }
    return this;
  }

  private void report(Call call, Response response, String kind, String message, long retryAfterMillis) {
    running.remove(call.request().attemptId());
    double latency = clock.millis() - call.startedAt();
    pool.tell(new ModelPool.WorkerFinished(index, call.request().attemptId(), response, kind, message,
        retryAfterMillis, latency));
  }

  /** A backend's retry-after in milliseconds; an absurd one (beyond a long) must not crash the worker. */
  private static long saturatedMillis(Duration d) {
    try {
      return Math.max(0, d.toMillis());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String timerKey(String attemptId) {
    return "call:" + attemptId;
  }
}
