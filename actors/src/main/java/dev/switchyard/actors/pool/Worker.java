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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 *
 * <p>A call that asks for its tokens ({@link BackendRequest#streamTokens()}) runs as a backend stream: each piece
 * of text goes, through this actor, straight to the caller as {@link ModelPool.TokensArrived} (not through the
 * pool, which would carry every token of every call). Such a call also fails with {@code TIMEOUT} when no token
 * came within {@code first-token-timeout}; and once a token has gone out, any failure is {@code STREAM_BROKEN},
 * which the pool does not retry: the caller already holds part of this answer.
 */
public final class Worker extends AbstractBehavior<Worker.Command> {
  public interface Command extends CrossNode {}

  /**
   * Run this call on the backend.
   *
   * @param tokensTo where a streamed call's tokens go (the caller of the pool); unused unless the request asks
   *     for its tokens
   */
  public record Run(BackendRequest request, ActorRef<ModelPool.CallResult> tokensTo) implements Command {}

  record BackendFinished(String attemptId, long tryNo, Response response, FailureKind failureKind, String message,
      long retryAfterMillis) implements Command {}

  record TimedOut(String attemptId, long tryNo) implements Command {}

  /** A streamed call's first token is overdue. */
  record FirstTokenOverdue(String attemptId, long tryNo) implements Command {}

  /** A piece of a streamed call's answer, from the backend's thread. */
  record TokenArrived(String attemptId, long tryNo, String text) implements Command {}

  /**
   * A call being run.
   *
   * @param tryNo tells this run's completion and timeout from those of an earlier run of the same attempt
   * @param cancel stops the backend call (after a timeout)
   * @param tokensSent how many pieces of the answer went to the caller
   */
  private record Call(BackendRequest request, ActorRef<ModelPool.CallResult> tokensTo, long startedAt, long tryNo,
      Runnable cancel, int tokensSent) {
    Call sent() {
      return new Call(request, tokensTo, startedAt, tryNo, cancel, tokensSent + 1);
    }
  }

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
        .onMessage(FirstTokenOverdue.class, this::onFirstTokenOverdue)
        .onMessage(TokenArrived.class, this::onTokenArrived)
        .build();
  }

  private Behavior<Command> onRun(Run run) {
    BackendRequest request = run.request();
    String attemptId = request.attemptId();
    long tryNo = ++runs;
    // read before the backend is asked, so the call's latency counts from then (and a test that moves the clock
    // once the backend has the call measures what it moved)
    long startedAt = clock.millis();
    CompletionStage<Response> stage;
    Runnable cancel = () -> {};
    List<String> unhonoured = request.unhonouredBy(backend);
    try {
      if (!unhonoured.isEmpty()) {
        stage = CompletableFuture.failedFuture(new BackendException(BackendException.Kind.CLIENT_ERROR, "model "
            + backend.modelId() + " is served by a backend that cannot honour " + String.join(", ", unhonoured)));
      } else if (request.streamTokens()) {
        ActorRef<Command> self = getContext().getSelf();
        InferenceBackend.StreamingCall streaming = backend.stream(request,
            text -> self.tell(new TokenArrived(attemptId, tryNo, text)));
        stage = streaming.answer();
        cancel = streaming.cancel();
        timers.startSingleTimer(firstTokenTimerKey(attemptId), new FirstTokenOverdue(attemptId, tryNo),
            settings.firstTokenTimeout());
      } else {
        stage = backend.complete(request);
      }
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    running.put(attemptId, new Call(request, run.tokensTo(), startedAt, tryNo, cancel, 0));
    getContext().pipeToSelf(stage, (response, error) -> finished(attemptId, tryNo, response, error));
    timers.startSingleTimer(timerKey(attemptId), new TimedOut(attemptId, tryNo), settings.backendTimeout());
    return this;
  }

  private Behavior<Command> onTokenArrived(TokenArrived token) {
    Call call = running.get(token.attemptId());
    if (call == null || call.tryNo() != token.tryNo() || token.text().isEmpty()) {
      return this; // a call already timed out (or cancelled) may still deliver a token or two
    }
    timers.cancel(firstTokenTimerKey(token.attemptId()));
    call.tokensTo().tell(new ModelPool.TokensArrived(token.attemptId(), call.tokensSent(), token.text()));
    running.put(token.attemptId(), call.sent());
    return this;
  }

  private Behavior<Command> onFirstTokenOverdue(FirstTokenOverdue overdue) {
    Call call = running.get(overdue.attemptId());
    if (call != null && call.tryNo() == overdue.tryNo() && call.tokensSent() == 0) {
      call.cancel().run();
      report(call, null, FailureKind.TIMEOUT,
          "no first token from the backend within " + settings.firstTokenTimeout(), -1);
    }
    return this;
  }

  private static BackendFinished finished(String attemptId, long tryNo, Response response, Throwable error) {
    if (error == null) {
      return new BackendFinished(attemptId, tryNo, response, null, null, -1);
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof BackendException be) {
      long retry = be.retryAfter() == null ? -1 : saturatedMillis(be.retryAfter());
      return new BackendFinished(attemptId, tryNo, null, FailureKind.of(be.kind()), be.getMessage(), retry);
    }
    return new BackendFinished(attemptId, tryNo, null, FailureKind.SERVER_ERROR,
        cause.getClass().getSimpleName() + ": " + cause.getMessage(), -1);
  }

  private Behavior<Command> onFinished(BackendFinished done) {
    Call call = running.get(done.attemptId());
    if (call == null || call.tryNo() != done.tryNo()) {
      return this; // timed out earlier: the pool already heard about it
    }
    report(call, done.response(), done.failureKind(), done.message(), done.retryAfterMillis());
    return this;
  }

  private Behavior<Command> onTimedOut(TimedOut timeout) {
    Call call = running.get(timeout.attemptId());
    if (call != null && call.tryNo() == timeout.tryNo()) {
      call.cancel().run();
      report(call, null, FailureKind.TIMEOUT,
          "no answer from the backend within " + settings.backendTimeout(), -1);
    }
    return this;
  }

  /**
   * Tells the pool how the call ended. A failure after part of the answer went to the caller is
   * {@code STREAM_BROKEN}, whatever the backend said: not to be retried or answered by another model.
   */
  private void report(Call call, Response response, FailureKind kind, String message, long retryAfterMillis) {
    String attemptId = call.request().attemptId();
    running.remove(attemptId);
    timers.cancel(timerKey(attemptId));
    timers.cancel(firstTokenTimerKey(attemptId));
    if (response == null && call.tokensSent() > 0) {
      message = "the answer broke off after " + call.tokensSent() + " streamed pieces (" + kind + ": " + message
          + ")";
      kind = FailureKind.STREAM_BROKEN;
      retryAfterMillis = -1;
    }
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

  private static String firstTokenTimerKey(String attemptId) {
    return "first-token:" + attemptId;
  }
}
