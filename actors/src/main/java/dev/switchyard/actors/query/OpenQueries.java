package dev.switchyard.actors.query;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.job.JobActor;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.Journaled;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The registry of unfinished durable queries (a cluster singleton, event sourced). At start and every
 * {@code resume-interval} it sends {@link QueryActor.Resume} to each, so a durable query interrupted by a
 * restart, a crash or a passivation continues. Chosen over sharding's remember-entities because only durable
 * queries pay for it (remember-entities would journal every ephemeral query's start too and turn off idle
 * passivation for the whole {@code query} entity type). A durable query is registered (and the registration
 * journaled) before the query journals its acceptance, so no accepted query is unknown here; a registered id
 * whose query never got accepted is closed when its resume finds an empty journal. Resume is idempotent.
 * Unfinished jobs ({@code JobActor}) are registered the same way and poked with {@code JobActor.Resume}. When a
 * member is removed (a crashed node downed), it pokes again {@code resume-after-member-removed}, so the dead node's
 * jobs and queries resume on the survivors within seconds rather than at the next interval.
 */
public final class OpenQueries extends EventSourcedBehavior<OpenQueries.Command, OpenQueries.Event,
    OpenQueries.State> {
  public static final String SINGLETON_NAME = "open-queries";

  public interface Command extends CrossNode {}

  /** Register an unfinished durable query; {@code replyTo} hears {@link Registered} once it is journaled. */
  public record Opened(String queryId, ActorRef<Registered> replyTo) implements Command {}

  public record Registered(String queryId) implements CrossNode {}

  public record Closed(String queryId) implements Command {}

  /** Register an unfinished job (poked with {@code JobActor.Resume}); {@code replyTo} hears once journaled. */
  public record JobOpened(String jobId, ActorRef<Registered> replyTo) implements Command {}

  public record JobClosed(String jobId) implements Command {}

  enum ResumeTick implements Command { INSTANCE }

  /** A member left the cluster (the registry's cluster subscription, adapted). */
  enum MemberRemoved implements Command { INSTANCE }

  /** One of the pokes after a member's removal ({@code resume-after-member-removed}), by its delay. */
  record ResumeAfterRemoval(Duration delay) implements Command {}

  public interface Event extends Journaled {}

  public record QueryOpened(String queryId) implements Event {}

  public record QueryClosed(String queryId) implements Event {}

  public record JobRegistered(String jobId) implements Event {}

  public record JobUnregistered(String jobId) implements Event {}

  /** @param jobs unfinished jobs (absent in snapshots written before jobs existed: read as none) */
  public record State(Set<String> open, Set<String> jobs) implements Journaled {
    public State {
      open = Set.copyOf(open);
      jobs = jobs == null ? Set.of() : Set.copyOf(jobs);
    }
  }

  private final ClusterSharding sharding;
  private final TimerScheduler<Command> timers;
  private final Duration resumeInterval;
  private final List<Duration> resumeAfterMemberRemoved;
  private final int snapshotEvery;

  public static Behavior<Command> create(ClusterSharding sharding, EngineSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, removed -> MemberRemoved.INSTANCE),
          ClusterEvent.MemberRemoved.class));
      return new OpenQueries(sharding, timers, settings);
    }));
  }

  private OpenQueries(ClusterSharding sharding, TimerScheduler<Command> timers, EngineSettings settings) {
    super(PersistenceId.ofUniqueId("open-queries"), settings.restartBackoff().strategy());
    this.sharding = sharding;
    this.timers = timers;
    this.resumeInterval = settings.resumeInterval();
    this.resumeAfterMemberRemoved = settings.resumeAfterMemberRemoved();
    this.snapshotEvery = settings.registrySnapshotEvery();
  }

  /**
   * Registers an unfinished durable query, or a job, with the registry before it is accepted, so that every
   * accepted one is resumed after a restart: {@code done} makes the asker's message of whether the registry
   * answered within {@code switchyard.query.open-registry.ask-timeout}.
   */
  public static <T> void register(ActorContext<T> ctx, NodeServices services, String id, boolean job,
      Function<Boolean, T> done) {
    ctx.ask(Registered.class, services.openQueries(), services.settings().registryAskTimeout(),
        ref -> job ? new JobOpened(id, ref) : new Opened(id, ref), (registered, error) -> done.apply(error == null));
  }

  @Override
  public State emptyState() {
    return new State(Set.of(), Set.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Opened.class, (state, c) -> opened(state.open(), c.queryId(), new QueryOpened(c.queryId()),
            c.replyTo()))
        .onCommand(Closed.class, (state, c) -> state.open().contains(c.queryId())
            ? Effect().persist(new QueryClosed(c.queryId())) : Effect().none())
        .onCommand(JobOpened.class, (state, c) -> opened(state.jobs(), c.jobId(), new JobRegistered(c.jobId()),
            c.replyTo()))
        .onCommand(JobClosed.class, (state, c) -> state.jobs().contains(c.jobId())
            ? Effect().persist(new JobUnregistered(c.jobId())) : Effect().none())
        .onCommand(ResumeTick.class, (state, t) -> {
          resumeAll(state);
          return Effect().none();
        })
        .onCommand(MemberRemoved.class, (state, m) -> {
          // The entities of a removed node start elsewhere only when poked, and a poke sent while sharding
          // still places their shard on the dead node is lost: poke a few times once its shards can have moved,
          // instead of waiting for the next resume-interval.
          resumeAfterMemberRemoved.forEach(delay ->
              timers.startSingleTimer(new ResumeAfterRemoval(delay), new ResumeAfterRemoval(delay), delay));
          return Effect().none();
        })
        .onCommand(ResumeAfterRemoval.class, (state, r) -> {
          resumeAll(state);
          return Effect().none();
        })
        .build();
  }

  /** Journals {@code event} unless {@code id} is already {@code known}; then tells {@code replyTo} it is. */
  private Effect<Event, State> opened(Set<String> known, String id, Event event,
      ActorRef<Registered> replyTo) {
    return (known.contains(id) ? Effect().none() : Effect().persist(event))
        .thenRun(s -> replyTo.tell(new Registered(id)));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(QueryOpened.class, (state, e) -> {
          Set<String> next = new LinkedHashSet<>(state.open());
          next.add(e.queryId());
          return new State(next, state.jobs());
        })
        .onEvent(QueryClosed.class, (state, e) -> {
          Set<String> next = new LinkedHashSet<>(state.open());
          next.remove(e.queryId());
          return new State(next, state.jobs());
        })
        .onEvent(JobRegistered.class, (state, e) -> {
          Set<String> next = new LinkedHashSet<>(state.jobs());
          next.add(e.jobId());
          return new State(state.open(), next);
        })
        .onEvent(JobUnregistered.class, (state, e) -> {
          Set<String> next = new LinkedHashSet<>(state.jobs());
          next.remove(e.jobId());
          return new State(state.open(), next);
        })
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          timers.startTimerWithFixedDelay(ResumeTick.INSTANCE, resumeInterval);
          resumeAll(state);
        })
        .build();
  }

  private void resumeAll(State state) {
    state.open().forEach(id -> sharding.entityRefFor(QueryActor.TYPE_KEY, id).tell(QueryActor.Resume.INSTANCE));
    state.jobs().forEach(id -> sharding.entityRefFor(JobActor.TYPE_KEY, id).tell(JobActor.Resume.INSTANCE));
  }
}
