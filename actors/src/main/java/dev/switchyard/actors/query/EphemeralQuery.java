package dev.switchyard.actors.query;

import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.query.QueryActor.Command;
import dev.switchyard.actors.query.QueryActor.Submit;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The in-memory query driver: runs {@link QueryDriver}'s table, applying each event to the run in memory instead
 * of journaling it. Fast, and lost with its node. Kept for a short while after the end
 * ({@code switchyard.query.passivate-finished-ephemeral-after}) so a repeat or a prompt feedback finds the result,
 * then passivated: an entity per query kept for minutes would fill the heap at high rates. A feedback or a
 * repeat it takes once finished keeps it that while longer.
 */
final class EphemeralQuery extends AbstractBehavior<Command> implements QueryDriver.Recording<Behavior<Command>> {
  private final QueryDriver<Behavior<Command>> driver;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Duration keepFinished;
  private QueryRun run = QueryRun.none();
  /** Asked to stop (a hand-off: its node leaves, or its shard moves) while running: it stops once it finishes. */
  private boolean stopWhenFinished;

  EphemeralQuery(ActorContext<Command> ctx, TimerScheduler<Command> timers, String queryId,
      ActorRef<ClusterSharding.ShardCommand> shard, NodeServices services) {
    super(ctx);
    this.driver = new QueryDriver<>(queryId, new QuerySession(queryId, services, ctx, timers), this);
    this.timers = timers;
    this.shard = shard;
    this.keepFinished = services.settings().queryPassivateFinishedEphemeralAfter();
  }

  /** Takes the submit that created the entity. */
  Behavior<Command> start(Submit submit) {
    return driver.onSubmit(run, submit);
  }

  @Override
  public Receive<Command> createReceive() {
    ReceiveBuilder<Command> builder = newReceiveBuilder()
        .onMessage(QueryActor.PassivateFinished.class, due -> onPassivateFinished())
        .onMessage(QueryActor.Stop.class, this::onStop);
    driver.table(new QueryDriver.Table<>() {
      @Override
      public <M extends Command> QueryDriver.Table<Behavior<Command>> on(Class<M> type,
          BiFunction<QueryRun, M, Behavior<Command>> handler) {
        builder.onMessage(type, m -> {
          Behavior<Command> next = handler.apply(run, m);
          if (run.finished() && (m instanceof QueryActor.GiveFeedback || m instanceof Submit)) {
            // a finished query still in use (a feedback, a repeat) stays for another while; a status read does not
            timers.startSingleTimer(QueryActor.PassivateFinished.INSTANCE, keepFinished);
          }
          return next;
        });
        return this;
      }
    });
    return builder.build();
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public Behavior<Command> record(List<QueryEvent> events, Consumer<QueryRun> after) {
    boolean wasFinished = run.finished();
    events.forEach(e -> run = run.apply(e));
    after.accept(run);
    if (run.finished() && !wasFinished) {
      if (stopWhenFinished) {
        return Behaviors.stopped();
      }
      timers.startSingleTimer(QueryActor.PassivateFinished.INSTANCE, keepFinished);
    }
    return this;
  }

  /**
   * A running query finishes first: an ephemeral query has nothing to resume from, and stopped it would leave its
   * caller waiting out the answer timeout. The shard holds the hand-off for it (at most {@code handoff-timeout}, and
   * a leaving node's coordinated shutdown phase {@code cluster-sharding-shutdown-region}); calls meanwhile go to
   * pools wherever they now live (a pool that stops under a call is watched, and the call sent again).
   */
  private Behavior<Command> onStop(QueryActor.Stop stop) {
    if (run.running()) {
      stopWhenFinished = true;
      return this;
    }
    return Behaviors.stopped();
  }

  private Behavior<Command> onPassivateFinished() {
    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    return this;
  }

  @Override
  public <T> Behavior<Command> recordThenReply(List<QueryEvent> events, Consumer<QueryRun> after, ActorRef<T> to,
      Function<QueryRun, T> reply) {
    Behavior<Command> next = record(events, after);
    to.tell(reply.apply(run));
    return next;
  }

  @Override
  public Behavior<Command> none() {
    return this;
  }

  @Override
  public <T> Behavior<Command> reply(ActorRef<T> to, T message) {
    to.tell(message);
    return this;
  }

  @Override
  public Behavior<Command> stop() {
    return onPassivateFinished(); // see QueryActor.Stop
  }

  @Override
  public <T> Behavior<Command> stopThenReply(ActorRef<T> to, T message) {
    to.tell(message);
    return onPassivateFinished();
  }
}
