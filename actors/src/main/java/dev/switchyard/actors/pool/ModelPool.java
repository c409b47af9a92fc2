package dev.switchyard.actors.pool;

import dev.switchyard.actors.EngineSettings.PoolSettings;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Admission for one model (sharded entity {@code model-pool}, entity id = model id). Its workers are the
 * backends of that model on the node hosting the pool. A call goes to the least busy worker whose circuit
 * admits it and which has fewer than {@code max-concurrency-per-worker} calls in flight; otherwise it waits in a
 * bounded queue, fair across tenants (a lane per tenant served by deficit round robin weighted by the tenant's
 * {@code priority}, a lane running fewer calls than its share of the slots first, see {@link AdmissionQueue});
 * when the queue is full (and the caller's tenant already holds its
 * share of it), or every worker's circuit is open, the call is refused at once with a retry-after (the caller
 * re-routes or retries; work never piles up without bound). Admission is deadline-aware:
 * a call that the pool's drain rate (measured service time, concurrent slots) says cannot start within what is
 * left of its query's deadline or within {@code max-queue-wait} is refused at once ({@code QUEUE_WAIT}) with the
 * time until the queue will have drained enough, instead of queueing work it cannot start in time; a queued
 * call still waiting at its start-by time is refused the same way. A failed call is tried again
 * ({@code switchyard.pool.retry}: per failure kind, exponential backoff with jitter, honouring retry-after, on
 * another worker first) while its deadline allows, before its caller hears of the failure. Every finished call updates
 * the worker's circuit breaker and the pool's latency and error averages; the pool publishes its
 * {@link PoolLoad} to every node on a timer, and gives the same load and its workers' circuit states to the
 * {@link EngineMetrics} of the node hosting it. The bookkeeping is in plain classes: the queue and its wait rules
 * in {@link AdmissionQueue}, the workers and their circuits in {@link WorkerSlots}, the averages in
 * {@link ServiceTimes}; this actor decides admission, dispatch and retries.
 */
public final class ModelPool extends AbstractBehavior<ModelPool.Command> {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "model-pool");
  public static final String LOAD_TOPIC = "switchyard-pool-load";

  public interface Command extends CrossNode {}

  /**
   * Run one model call; the answer (or refusal) goes to {@code replyTo}.
   *
   * @param maxWaitMillis how long the call may wait for a worker: what is left of its query's deadline when it
   *     was sent; 0 or less when the query has no deadline (then only {@code max-queue-wait} applies)
   * @param tenant the tenant whose query made the call, whose {@code priority} weighs it in the pool's fair
   *     admission; null for unmetered calls (no keys configured, or the engine's own calls), which share one lane
   */
  public record Call(BackendRequest request, ActorRef<CallResult> replyTo, long maxWaitMillis, String tenant)
      implements Command {
    public Call {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(replyTo, "replyTo");
    }

    /** An unmetered call. */
    public Call(BackendRequest request, ActorRef<CallResult> replyTo, long maxWaitMillis) {
      this(request, replyTo, maxWaitMillis, null);
    }

    /** An unmetered call without a deadline of its own. */
    public Call(BackendRequest request, ActorRef<CallResult> replyTo) {
      this(request, replyTo, 0);
    }

    /** This call answered to {@code newReplyTo}. */
    Call withReplyTo(ActorRef<CallResult> newReplyTo) {
      return new Call(request, newReplyTo, maxWaitMillis, tenant);
    }
  }

  /** Reply with the current load. */
  public record GetLoad(ActorRef<PoolLoad> replyTo) implements Command {}

  /** Starts the pool (and its load publication) without a call. */
  public enum Wake implements Command { INSTANCE }

  enum PublishTick implements Command { INSTANCE }

  /** The earliest start-by time of a queued call has come: refuse the queued calls that cannot start in time. */
  enum QueueWaitDue implements Command { INSTANCE }

  /** The backoff of a failed call is over: run it again, on another worker than {@code failedWorker} if one is free. */
  record RetryDue(String attemptId, int failedWorker) implements Command {}

  /** A worker's report of a finished call (internal to the pool and its children). */
  public record WorkerFinished(int worker, String attemptId, Response response, FailureKind failureKind, String message,
      long retryAfterMillis, double latencyMs) implements Command {}

  /** The outcome of a {@link Call}. */
  public sealed interface CallResult extends CrossNode {
    String attemptId();
  }

  public record CallAnswered(String attemptId, Response response) implements CallResult {}

  /**
   * The pool took the call (running or queued): its answer will follow. Not an outcome. {@code pool} is the
   * admitting pool, which the caller watches: if its node dies, the answer never comes.
   */
  public record CallAdmitted(String attemptId, ActorRef<Command> pool) implements CallResult {}

  /**
   * A piece of a streamed call's answer, sent by the worker running it straight to the caller as the model
   * generates it; the {@link CallAnswered} that follows holds the whole answer. Not an outcome.
   *
   * @param seq 0-based, in the order the backend produced them
   */
  public record TokensArrived(String attemptId, int seq, String text) implements CallResult {}

  /**
   * @param kind a refusal ({@link FailureKind#isRefusal()}: the pool did not run the call) or a backend failure
   * @param retryAfterMillis when to try again, -1 if unknown
   */
  public record CallFailed(String attemptId, String modelId, FailureKind kind, String message,
      long retryAfterMillis) implements CallResult {
    /** The pool refused the call without running it (full, could not start it in time, or every circuit open). */
    public boolean rejected() {
      return kind.isRefusal();
    }
  }

  /**
   * A call between a failure and its retry: the call, when it first arrived, the retries made so far, and the
   * last failure (what its caller hears if the retry cannot be made).
   */
  private record Retrying(Call call, long arrivedAt, int retries, WorkerFinished lastFailure) {}

  private static final String QUEUE_WAIT_TIMER = "queue-wait";

  private final String modelId;
  private final PoolSettings settings;
  private final Clock clock;
  private final ActorRef<Topic.Command<PoolLoad>> loadTopic;
  private final EngineMetrics metrics;
  private final WorkerSlots<ActorRef<Worker.Command>> slots;
  private final TimerScheduler<Command> timers;
  private final AdmissionQueue queue;
  private final Map<String, ActorRef<CallResult>> waiting = new HashMap<>();
  /** Calls dispatched or waiting for a retry, with when they arrived: what a retry needs. */
  private final Map<String, Retrying> retrying = new HashMap<>();
  private final java.util.SplittableRandom jitter;
  private final ServiceTimes service;

  /**
   * Starts this node's part of the {@code model-pool} sharding: a pool runs with the backends this node has for
   * its model and is never passivated (it owns admission state and publishes load).
   *
   * @param tenants whose {@code priority} weighs their calls in fair admission (the same on every node)
   */
  public static void initSharding(ActorSystem<?> system, Map<String, List<InferenceBackend>> backends,
      Function<String, PoolSettings> settings, Clock clock, ActorRef<Topic.Command<PoolLoad>> loadTopic,
      EngineMetrics metrics, Tenants tenants) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId(),
            backends.getOrDefault(ctx.getEntityId(), List.of()), settings.apply(ctx.getEntityId()), clock, loadTopic,
            metrics, tenants))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /** A pool whose calls all weigh 1 (no tenant has a priority of its own). */
  public static Behavior<Command> create(String modelId, List<InferenceBackend> backends, PoolSettings settings,
      Clock clock, ActorRef<Topic.Command<PoolLoad>> loadTopic, EngineMetrics metrics) {
    return create(modelId, backends, settings, clock, loadTopic, metrics, Tenants.NONE);
  }

  /**
   * @param tenants the configured tenants: a call's weight in fair admission is its tenant's {@code priority};
   *     1 for unmetered calls and for a tenant not configured here
   */
  public static Behavior<Command> create(String modelId, List<InferenceBackend> backends, PoolSettings settings,
      Clock clock, ActorRef<Topic.Command<PoolLoad>> loadTopic, EngineMetrics metrics, Tenants tenants) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new ModelPool(ctx, timers, modelId, backends, settings, clock, loadTopic, metrics, tenants)));
  }

  private ModelPool(ActorContext<Command> ctx, TimerScheduler<Command> timers, String modelId,
      List<InferenceBackend> backends, PoolSettings settings, Clock clock,
      ActorRef<Topic.Command<PoolLoad>> loadTopic, EngineMetrics metrics, Tenants tenants) {
    super(ctx);
    this.modelId = modelId;
    this.settings = settings;
    this.clock = clock;
    this.loadTopic = loadTopic;
    this.metrics = metrics;
    this.timers = timers;
    this.jitter = new java.util.SplittableRandom(settings.retry().seed() * 31 + modelId.hashCode());
    this.queue = new AdmissionQueue(settings.maxQueueWait(),
        tenant -> tenants.get(tenant).map(TenantSpec::priority).orElse(1));
    this.service = new ServiceTimes(settings.ewmaAlpha());
    this.slots = new WorkerSlots<>(settings.maxConcurrencyPerWorker());
    for (int i = 0; i < backends.size(); i++) {
      ActorRef<Worker.Command> worker = ctx.spawn(
          Worker.create(i, backends.get(i), ctx.getSelf(), settings, clock), "worker-" + i);
      slots.add(worker, new CircuitBreaker(settings.breakerFailureThreshold(),
          settings.breakerWindow().toMillis(), settings.breakerCooldown().toMillis()));
    }
    timers.startTimerWithFixedDelay(PublishTick.INSTANCE, settings.loadPublishInterval());
    publish();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Call.class, this::onCall)
        .onMessage(WorkerFinished.class, this::onWorkerFinished)
        .onMessage(RetryDue.class, this::onRetryDue)
        .onMessage(GetLoad.class, this::onGetLoad)
        .onMessageEquals(PublishTick.INSTANCE, this::onPublishTick)
        .onMessageEquals(QueueWaitDue.INSTANCE, () -> {
          drainQueue();
          return this;
        })
        .onMessageEquals(Wake.INSTANCE, () -> this)
        .onSignal(PostStop.class, stop -> {
          metrics.poolStopped(modelId);
          return this;
        })
        .build();
  }

  private Behavior<Command> onCall(Call call) {
    String attemptId = call.request().attemptId();
    if (waiting.containsKey(attemptId) || queue.replace(call)) {
      // a resend of an admitted call (its admission was lost, or a resumed query asks again): run it once,
      // answer whoever asked last
      waiting.computeIfPresent(attemptId, (id, previous) -> call.replyTo());
      call.replyTo().tell(new CallAdmitted(attemptId, getContext().getSelf()));
      return this;
    }
    Retrying backingOff = retrying.get(attemptId);
    if (backingOff != null) {
      // a resend of a call waiting for its retry: retried once, answered to whoever asked last
      retrying.put(attemptId, new Retrying(call, backingOff.arrivedAt(), backingOff.retries(),
          backingOff.lastFailure()));
      call.replyTo().tell(new CallAdmitted(attemptId, getContext().getSelf()));
      return this;
    }
    if (slots.isEmpty()) {
      call.replyTo().tell(new CallFailed(call.request().attemptId(), modelId, FailureKind.NO_BACKEND,
          "model " + modelId + " has no backend on the node hosting its pool", -1));
      return this;
    }
    drainQueue(); // calls already waiting go first
    long now = clock.millis();
    if (queue.isEmpty() && dispatch(call, now)) {
      call.replyTo().tell(new CallAdmitted(attemptId, getContext().getSelf()));
      return this;
    }
    if (slots.allOpen(now)) {
      long wait = slots.millisUntilProbe(now);
      call.replyTo().tell(new CallFailed(call.request().attemptId(), modelId, FailureKind.CIRCUIT_OPEN,
          "every worker of " + modelId + " has its circuit open", Math.max(wait, minRetryAfter())));
      return this;
    }
    Optional<Call> pushedOut = Optional.empty();
    if (queue.size() >= settings.maxQueue()) {
      pushedOut = queue.pushOutCandidate(call.tenant());
      if (pushedOut.isEmpty()) {
        call.replyTo().tell(new CallFailed(call.request().attemptId(), modelId, FailureKind.POOL_FULL,
            "pool " + modelId + " is full (" + inFlight() + " in flight, " + queue.size() + " queued, "
                + queue.size(call.tenant()) + " of them " + tenantName(call.tenant()) + "'s)",
            retryAfterWhenFull(call.tenant())));
        return this;
      }
    }
    long allowed = queue.allowedWaitMillis(call);
    long expected = expectedWaitMillis(call.tenant());
    if (expected > allowed) {
      call.replyTo().tell(queueWaitRefusal(call, expected, allowed));
      return this;
    }
    pushedOut.ifPresent(this::pushOut);
    queue.add(call, now + AdmissionQueue.startWithinMillis(call, expected, allowed));
    scheduleQueueWaitCheck(now);
    call.replyTo().tell(new CallAdmitted(attemptId, getContext().getSelf()));
    return this;
  }

  /**
   * Refuses a queued call whose place a call of another tenant takes: its tenant held more of the full queue
   * than its weight's share. Retry after the queue ahead of it has drained.
   */
  private void pushOut(Call call) {
    queue.remove(call);
    retrying.remove(call.request().attemptId());
    call.replyTo().tell(new CallFailed(call.request().attemptId(), modelId, FailureKind.POOL_FULL, "pool " + modelId
        + " is full and " + tenantName(call.tenant()) + " held more of its queue than its share ("
        + (queue.size(call.tenant()) + 1) + " of " + (queue.size() + 1) + " queued): its newest call gave its place"
        + " to another tenant's", retryAfterWhenFull(call.tenant())));
  }

  private static String tenantName(String tenant) {
    return tenant == null ? "unmetered calls" : "tenant " + tenant;
  }

  /**
   * How long a call of {@code tenant} queued now would wait for a worker: the calls that fair admission starts
   * before it ({@link AdmissionQueue#callsAhead}) plus itself, each taking the measured service time, drained by
   * every slot whose circuit admits calls. 0 before the first measurement (nothing to estimate from; such a call
   * is still refused once its start-by time passes).
   */
  private long expectedWaitMillis(String tenant) {
    if (!service.sampled()) {
      return 0;
    }
    long now = clock.millis();
    return service.expectedWaitMillis(queue.callsAhead(tenant), admittingSlots(now));
  }

  /** The concurrent calls the workers whose circuits admit calls can run: what fair admission shares out. */
  private long admittingSlots(long now) {
    return slots.admitting(now) * settings.maxConcurrencyPerWorker();
  }

  /** The refusal of a call that cannot start in time; retry once the queue has drained enough to admit it. */
  private CallFailed queueWaitRefusal(Call call, long expected, long allowed) {
    return new CallFailed(call.request().attemptId(), modelId, FailureKind.QUEUE_WAIT, "pool " + modelId
        + " cannot start the call within " + allowed + " ms (about " + expected + " ms of queue ahead: "
        + queue.callsAhead(call.tenant()) + " of " + queue.size() + " queued calls start first, " + inFlight()
        + " in flight)",
        Math.max(minRetryAfter(), expected - allowed));
  }

  private boolean dispatch(Call call, long now) {
    return dispatch(call, now, -1);
  }

  /** Starts {@code call} on the least busy free worker whose circuit admits it, worker {@code avoid} last. */
  private boolean dispatch(Call call, long now, int avoid) {
    Optional<ActorRef<Worker.Command>> worker = slots.acquire(now, avoid);
    if (worker.isEmpty()) {
      return false;
    }
    String attemptId = call.request().attemptId();
    Retrying before = retrying.get(attemptId);
    retrying.put(attemptId, new Retrying(call, before == null ? now : before.arrivedAt(),
        before == null ? 0 : before.retries(), null));
    waiting.put(call.request().attemptId(), call.replyTo());
    queue.started(call.tenant());
    worker.get().tell(new Worker.Run(call.request(), call.replyTo()));
    return true;
  }

  /** Starts queued calls on free workers, then refuses the queued calls whose start-by time has passed. */
  private void drainQueue() {
    long now = clock.millis();
    queue.startWhile(admittingSlots(now), call -> dispatch(call, now));
    List<Call> late = queue.takeLate(now);
    if (!late.isEmpty()) {
      late.forEach(call -> retrying.remove(call.request().attemptId()));
      late.forEach(call -> call.replyTo().tell(new CallFailed(call.request().attemptId(), modelId,
          FailureKind.QUEUE_WAIT, "the call waited in pool " + modelId + "'s queue longer than it may ("
              + inFlight() + " in flight, " + queue.size() + " still queued); refused rather than started late",
          Math.max(minRetryAfter(), expectedWaitMillis(call.tenant()) - queue.allowedWaitMillis(call)))));
    }
    scheduleQueueWaitCheck(now);
  }

  /** Wakes the pool when the earliest queued call must have started. */
  private void scheduleQueueWaitCheck(long now) {
    long earliest = queue.earliestStartBy().orElse(Long.MAX_VALUE);
    if (earliest == Long.MAX_VALUE) {
      timers.cancel(QUEUE_WAIT_TIMER);
    } else {
      timers.startSingleTimer(QUEUE_WAIT_TIMER, QueueWaitDue.INSTANCE, Duration.ofMillis(Math.max(0, earliest - now)));
    }
  }

  private Behavior<Command> onWorkerFinished(WorkerFinished done) {
    long now = clock.millis();
    boolean failed = done.response() == null;
    boolean unhealthy = failed && done.failureKind().countsAgainstBackend();
    slots.finished(done.worker(), now, failed, unhealthy);
    service.sample(done.latencyMs(), unhealthy);
    ActorRef<CallResult> replyTo = waiting.remove(done.attemptId());
    Retrying tracked = retrying.remove(done.attemptId());
    if (tracked != null) {
      queue.finished(tracked.call().tenant()); // its slot is free, whatever comes of the call now
    }
    boolean retriable = failed && done.failureKind().retriable();
    if (retriable && replyTo != null && tracked != null) {
      int n = tracked.retries() + 1;
      long wait = settings.retry().waitMillis(done.failureKind(), n, done.retryAfterMillis(), jitter.nextDouble());
      long maxWait = tracked.call().maxWaitMillis();
      if (wait >= 0 && (maxWait <= 0 || now + wait < tracked.arrivedAt() + maxWait)) {
        retrying.put(done.attemptId(), new Retrying(tracked.call().withReplyTo(replyTo),
            tracked.arrivedAt(), n, done));
        timers.startSingleTimer(retryTimer(done.attemptId()), new RetryDue(done.attemptId(), done.worker()),
            Duration.ofMillis(wait));
        drainQueue();
        return this;
      }
    }
    if (replyTo != null) {
      replyTo.tell(failed
          ? new CallFailed(done.attemptId(), modelId, done.failureKind(), done.message(),
              done.retryAfterMillis())
          : new CallAnswered(done.attemptId(), done.response()));
    }
    drainQueue();
    return this;
  }

  private Behavior<Command> onRetryDue(RetryDue due) {
    Retrying r = retrying.get(due.attemptId());
    if (r == null || waiting.containsKey(due.attemptId())) {
      return this;
    }
    long now = clock.millis();
    if (slots.allOpen(now)) {
      // nowhere to retry: the caller hears of the failure and re-routes
      retrying.remove(due.attemptId());
      WorkerFinished last = r.lastFailure();
      r.call().replyTo().tell(new CallFailed(due.attemptId(), modelId, last.failureKind(), last.message(),
          last.retryAfterMillis()));
      return this;
    }
    drainQueue(); // calls already waiting go first
    if (queue.isEmpty() && dispatch(r.call(), now, due.failedWorker())) {
      return this;
    }
    // no worker free (or its circuit open): first in line, within what is left of its allowed wait
    queue.addFirst(r.call(), now + queue.allowedWaitMillis(r.call()));
    scheduleQueueWaitCheck(now);
    return this;
  }

  private static String retryTimer(String attemptId) {
    return "retry:" + attemptId;
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
    PoolLoad load = load();
    loadTopic.tell(Topic.publish(load));
    long now = load.timestampMillis();
    metrics.poolLoad(load, slots.states(now));
  }

  private PoolLoad load() {
    long now = clock.millis();
    boolean allOpen = !slots.isEmpty() && slots.allOpen(now);
    int capacity = slots.size() * settings.maxConcurrencyPerWorker() + settings.maxQueue();
    return new PoolLoad(modelId, queue.size(), inFlight(), capacity, service.latencyMs(), service.errorRate(), allOpen,
        now);
  }

  private int inFlight() {
    return slots.inFlight();
  }

  private long minRetryAfter() {
    return settings.minRetryAfter().toMillis();
  }

  /** When a full pool could take a call of {@code tenant}: once the queue ahead of it has drained. */
  private long retryAfterWhenFull(String tenant) {
    return Math.max(minRetryAfter(), expectedWaitMillis(tenant));
  }
}
