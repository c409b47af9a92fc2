package dev.switchyard.actors.query;

import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.query.QueryActor.Command;
import dev.switchyard.actors.query.QueryActor.Submit;
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
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The in-memory query driver: runs {@link QueryDriver}'s table, applying each event to the run in memory instead
 * of journaling it. Fast, and lost with its node. Kept after the end (until passivated) so repeats and feedback
 * find the result.
 */
final class EphemeralQuery extends AbstractBehavior<Command> implements QueryDriver.Recording<Behavior<Command>> {
  private final QueryDriver<Behavior<Command>> driver;
  private QueryRun run = QueryRun.none();

  EphemeralQuery(ActorContext<Command> ctx, TimerScheduler<Command> timers, String queryId, NodeServices services) {
    super(ctx);
    this.driver = new QueryDriver<>(queryId, new QuerySession(queryId, services, ctx, timers), this);
  }

  /** Takes the submit that created the entity. */
  Behavior<Command> start(Submit submit) {
    return driver.onSubmit(run, submit);
  }

  @Override
  public Receive<Command> createReceive() {
    ReceiveBuilder<Command> builder = newReceiveBuilder();
    driver.table(new QueryDriver.Table<>() {
      @Override
      public <M extends Command> QueryDriver.Table<Behavior<Command>> on(Class<M> type,
          BiFunction<QueryRun, M, Behavior<Command>> handler) {
        builder.onMessage(type, m -> handler.apply(run, m));
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
    events.forEach(e -> run = run.apply(e));
    after.accept(run);
    return this;
  }

  @Override
  public <T> Behavior<Command> recordThenReply(List<QueryEvent> events, Consumer<QueryRun> after, ActorRef<T> to,
      Function<QueryRun, T> reply) {
    record(events, after);
    to.tell(reply.apply(run));
    return this;
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
    return Behaviors.stopped();
  }

  @Override
  public <T> Behavior<Command> stopThenReply(ActorRef<T> to, T message) {
    to.tell(message);
    return Behaviors.stopped();
  }
}
