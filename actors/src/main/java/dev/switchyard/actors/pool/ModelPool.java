package dev.switchyard.actors.pool;

import dev.switchyard.actors.EngineSettings.PoolSettings;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Admission for one model (sharded entity {@code model-pool}, entity id = model id). Its workers are the
 * backends of that model on the node hosting the pool. A call goes to the least busy worker whose circuit
 * admits it and which has fewer than {@code max-concurrency-per-worker} calls in flight; otherwise it waits in a
 * bounded queue; when the queue is full, or every worker's circuit is open, the call is refused at once with a
 * retry-after (the caller re-routes or retries; work never piles up without bound). Every finished call updates
 * the worker's circuit breaker and the pool's latency and error averages; the pool publishes its
 * {@link PoolLoad} to every node on a timer.
 */
public final class ModelPool extends AbstractBehavior<ModelPool.Command> {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "model-pool");
  public static final String LOAD_TOPIC = "switchyard-pool-load";

  public interface Command extends CrossNode {}

  /** Run one model call; the answer (or refusal) goes to {@code replyTo}. */
  public record Call(BackendRequest request, ActorRef<CallResult> replyTo) implements Command {
    public Call {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Reply with the current load. */
  public record GetLoad(ActorRef<PoolLoad> replyTo) implements Command {}

  /** Starts the pool (and its load publication) without a call. */
  public enum Wake implements Command { INSTANCE }

  enum PublishTick implements Command { INSTANCE }

  /** A worker's report of a finished call (internal to the pool and its children). */
  public record WorkerFinished(int worker, String attemptId, Response response, String failureKind, String message,
      long retryAfterMillis, double latencyMs) implements Command {}

  /** The outcome of a {@link Call}. */
  public sealed interface CallResult extends CrossNode {
    String attemptId();
  }

  public record CallAnswered(String attemptId, Response response) implements CallResult {}

  /** The pool took the call (running or queued): its answer will follow. Not an outcome. */
  public record CallAdmitted(String attemptId) implements CallResult {}

  /**
   * @param rejected true when the pool refused the call without running it (full, or every circuit open)
   * @param kind {@code POOL_FULL}, {@code CIRCUIT_OPEN}, {@code NO_BACKEND} or a {@link BackendException.Kind}
   * @param retryAfterMillis when to try again, -1 if unknown
   */
  public record CallFailed(String attemptId, String modelId, boolean rejected, String kind, String message,
      long retryAfterMillis) implements CallResult {}

  private static final class Slot {
    final ActorRef<Worker.Command> worker;
    final CircuitBreaker breaker;
    int inFlight;

    Slot(ActorRef<Worker.Command> worker, CircuitBreaker breaker) {
      this.worker = worker;
      this.breaker = breaker;
    }
  }

  private final String modelId;
  private final PoolSettings settings;
  private final Clock clock;
  private final ActorRef<Topic.Command<PoolLoad>> loadTopic;
  private final List<Slot> slots = new ArrayList<>();
  private final Deque<Call> queue = new ArrayDeque<>();
  private final Map<String, ActorRef<CallResult>> waiting = new HashMap<>();
  private double ewmaLatencyMs;
  private double errorRate;
  private boolean sampled;

  public static Behavior<Command> create(String modelId, List<InferenceBackend> backends, PoolSettings settings,
      Clock clock, ActorRef<Topic.Command<PoolLoad>> loadTopic) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new ModelPool(ctx, timers, modelId, backends, settings, clock, loadTopic)));
  }

  private ModelPool(ActorContext<Command> ctx, TimerScheduler<Command> timers, String modelId,
      List<InferenceBackend> backends, PoolSettings settings, Clock clock,
      ActorRef<Topic.Command<PoolLoad>> loadTopic) {
    super(ctx);
    this.modelId = modelId;
    this.settings = settings;
    this.clock = clock;
    this.loadTopic = loadTopic;
    for (int i = 0; i < backends.size(); i++) {
      ActorRef<Worker.Command> worker = ctx.spawn(
          Worker.create(i, backends.get(i), ctx.getSelf(), settings, clock), "worker-" + i);
      slots.add(new Slot(worker, new CircuitBreaker(settings.breakerFailureThreshold(),
          settings.breakerWindow().toMillis(), settings.breakerCooldown().toMillis())));
    }
    timers.startTimerWithFixedDelay(PublishTick.INSTANCE, settings.loadPublishInterval());
    publish();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Call.class, this::onCall)
        .onMessage(WorkerFinished.class, this::onWorkerFinished)
        .onMessage(GetLoad.class, this::onGetLoad)
        .onMessageEquals(PublishTick.INSTANCE, this::onPublishTick)
        .onMessageEquals(Wake.INSTANCE, () -> this)
        .build();
  }

  private Behavior<Command> onCall(Call call) {
    String attemptId = call.request().attemptId();
    if (waiting.containsKey(attemptId) || requeued(call)) {
      // a resend of an admitted call (its admission was lost, or a resumed query asks again): run it once,
      // answer whoever asked last
      waiting.computeIfPresent(attemptId, (id, previous) -> call.replyTo());
      call.replyTo().tell(new CallAdmitted(attemptId));
      return this;
    }
    if (slots.isEmpty()) {
      call.replyTo().tell(new CallFailed(call.request().attemptId(), modelId, true, "NO_BACKEND",
          "model " + modelId + " has no backend on the node hosting its pool", -1));
      return this;
    }
    drainQueue(); // calls already waiting go first
    long now = clock.millis();
    if (queue.isEmpty() && dispatch(call, now)) {
      call.replyTo().tell(new CallAdmitted(attemptId));
      return this;
    }
    if (slots.stream().allMatch(s -> s.breaker.state(now) == CircuitBreaker.State.OPEN)) {
      long wait = slots.stream().mapToLong(s -> s.breaker.millisUntilProbe(now)).min().orElse(0);
      call.replyTo().tell(new CallFailed(call.request().attemptId(), modelId, true, "CIRCUIT_OPEN",
          "every worker of " + modelId + " has its circuit open", Math.max(wait, minRetryAfter())));
      return this;
    }
    if (queue.size() >= settings.maxQueue()) {
      call.replyTo().tell(new CallFailed(call.request().attemptId(), modelId, true, "POOL_FULL",
          "pool " + modelId + " is full (" + inFlight() + " in flight, " + queue.size() + " queued)",
          retryAfterWhenFull()));
      return this;
    }
    queue.addLast(call);
    call.replyTo().tell(new CallAdmitted(attemptId));
    return this;
  }

  /** Replaces a queued call of the same attempt id by {@code call} (its latest reply address); false if none. */
  private boolean requeued(Call call) {
    String attemptId = call.request().attemptId();
    if (queue.stream().noneMatch(c -> c.request().attemptId().equals(attemptId))) {
      return false;
    }
    List<Call> kept = new ArrayList<>(queue);
    queue.clear();
    kept.forEach(c -> queue.addLast(c.request().attemptId().equals(attemptId) ? call : c));
    return true;
  }

  private boolean dispatch(Call call, long now) {
    List<Slot> free = slots.stream().filter(s -> s.inFlight < settings.maxConcurrencyPerWorker())
        .sorted(Comparator.comparingInt(s -> s.inFlight)).toList();
    for (Slot slot : free) {
      if (slot.breaker.tryAcquire(now)) {
        slot.inFlight++;
        waiting.put(call.request().attemptId(), call.replyTo());
        slot.worker.tell(new Worker.Run(call.request()));
        return true;
      }
    }
    return false;
  }

  private void drainQueue() {
    long now = clock.millis();
    while (!queue.isEmpty() && dispatch(queue.peekFirst(), now)) {
      queue.removeFirst();
    }
  }

  private Behavior<Command> onWorkerFinished(WorkerFinished done) {
    Slot slot = slots.get(done.worker());
    slot.inFlight--;
    long now = clock.millis();
    boolean failed = done.response() == null;
    boolean unhealthy = failed && countsAgainstBackend(done.failureKind());
    if (!failed) {
      slot.breaker.onSuccess(now);
    } else if (unhealthy) {
      slot.breaker.onFailure(now);
    } else {
      slot.breaker.onNeutral(now);
    }
    sample(done.latencyMs(), unhealthy);
    ActorRef<CallResult> replyTo = waiting.remove(done.attemptId());
    if (replyTo != null) {
      replyTo.tell(failed
          ? new CallFailed(done.attemptId(), modelId, false, done.failureKind(), done.message(),
              done.retryAfterMillis())
          : new CallAnswered(done.attemptId(), done.response()));
    }
    drainQueue();
    return this;
  }

  private static boolean countsAgainstBackend(String kind) {
    try {
      return new BackendException(BackendException.Kind.valueOf(kind), "").countsAgainstBackend();
    } catch (IllegalArgumentException | NullPointerException e) {
      return true;
    }
  }

  private void sample(double latencyMs, boolean error) {
    double a = settings.ewmaAlpha();
    if (!sampled) {
      ewmaLatencyMs = latencyMs;
      errorRate = error ? 1 : 0;
      sampled = true;
    } else {
      ewmaLatencyMs = a * latencyMs + (1 - a) * ewmaLatencyMs;
      errorRate = a * (error ? 1 : 0) + (1 - a) * errorRate;
    }
  }

  private Behavior<Command> onGetLoad(GetLoad get) {
    get.replyTo().tell(load());
    return this;
  }

  private Behavior<Command> onPublishTick() {
    drainQueue(); // an open circuit may have turned half-open: give queued calls the probe
    publish();
    return this;
  }

  private void publish() {
    loadTopic.tell(Topic.publish(load()));
  }

  private PoolLoad load() {
    long now = clock.millis();
    boolean allOpen = !slots.isEmpty()
        && slots.stream().allMatch(s -> s.breaker.state(now) == CircuitBreaker.State.OPEN);
    int capacity = slots.size() * settings.maxConcurrencyPerWorker() + settings.maxQueue();
    return new PoolLoad(modelId, queue.size(), inFlight(), capacity, ewmaLatencyMs, errorRate, allOpen, now);
  }

  private int inFlight() {
    return slots.stream().mapToInt(s -> s.inFlight).sum();
  }

  private long minRetryAfter() {
    return settings.minRetryAfter().toMillis();
  }

  /** Roughly when a slot frees up: the queue ahead drains at (slots / latency) calls per millisecond. */
  private long retryAfterWhenFull() {
    int parallel = Math.max(1, slots.size() * settings.maxConcurrencyPerWorker());
    long estimate = Math.round(ewmaLatencyMs * (queue.size() + 1) / parallel);
    return Math.max(minRetryAfter(), estimate);
  }
}
