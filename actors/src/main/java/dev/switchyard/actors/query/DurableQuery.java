package dev.switchyard.actors.query;

import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.journal.JournalFailures;
import dev.switchyard.actors.journal.JournalHealth;
import dev.switchyard.actors.query.QueryActor.Command;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced query driver (persistence id {@code query|<id>}): runs {@link QueryDriver}'s table, journaling
 * each event before it takes effect. Every step is journaled before it takes
 * effect: the route before the call (so a resumed query re-issues the same attempt id rather than deciding
 * again), the answer or failure before the next decision, the end before anyone is told. After a restart it
 * recovers the recorded run, rebuilds the planner's state from the recorded attempts, and continues at the
 * last recorded step: a finished call is never repeated. The {@link OpenQueries} registry knows it is unfinished
 * and pokes it with {@link QueryActor.Resume} after a restart. A journal write failure restarts the driver with
 * backoff (it then recovers and continues); it never resumes past an unwritten event. A {@link QueryActor.Cancel}
 * is journaled ({@code QueryCancelled}); the call in flight, if any, is still recorded, then the query ends with
 * its best answer so far without another call.
 */
final class DurableQuery extends EventSourcedBehaviorWithEnforcedReplies<Command, QueryEvent, QueryRun>
    implements QueryDriver.Recording<ReplyEffect<QueryEvent, QueryRun>> {
  private final QueryDriver<ReplyEffect<QueryEvent, QueryRun>> driver;
  private final ActorContext<Command> ctx;
  private final JournalFailures journal;

  static PersistenceId persistenceId(String queryId) {
    return PersistenceId.of("query", queryId, "|");
  }

  static Behavior<Command> create(String queryId, NodeServices services) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new DurableQuery(ctx, timers, queryId, services)));
  }

  private DurableQuery(ActorContext<Command> ctx, TimerScheduler<Command> timers, String queryId,
      NodeServices services) {
    super(persistenceId(queryId),
        services.settings().restartBackoff().strategy());
    this.ctx = ctx;
    this.driver = new QueryDriver<>(queryId, new QuerySession(queryId, services, ctx, timers), this);
    this.journal = new JournalFailures(JournalHealth.get(ctx.getSystem()), QueryActor.TYPE_KEY, queryId);
  }

  @Override
  public QueryRun emptyState() {
    return QueryRun.none();
  }

  @Override
  public EventHandler<QueryRun, QueryEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(QueryRun::apply);
  }

  @Override
  public SignalHandler<QueryRun> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), run -> {
          if (run.running()) {
            driver.session().startDeadline(run);
            ctx.getSelf().tell(QueryActor.Resume.INSTANCE);
          }
        })
        .onSignal(RecoveryFailed.class, (run, failed) -> journal.recoveryFailed(failed))
        .onSignal(PreRestart.class, (run, restart) -> onJournalFailure(run))
        .onSignal(PostStop.class, (run, stop) -> refuseEveryoneWaiting(run, "UNAVAILABLE"))
        .build();
  }

  /**
   * After a failed write or a failed recovery alike, the submitters and waiters the driver holds are refused: a
   * query's progress is journaled, so whatever they wait for is not coming before the journal is back. The call it
   * sent is forgotten: if the write that failed was its answer's, only sending it again brings an answer.
   */
  private void onJournalFailure(QueryRun run) {
    journal.restarting();
    refuseEveryoneWaiting(run, "JOURNAL_UNAVAILABLE");
    driver.session().forgetCallInFlight(); // the recovered driver sends the pending call again
  }

  private void refuseEveryoneWaiting(QueryRun run, String reason) {
    driver.refuseEveryoneWaiting(run, reason, journal.retryAfterMillis());
  }

  @Override
  public CommandHandlerWithReply<Command, QueryEvent, QueryRun> commandHandler() {
    CommandHandlerWithReplyBuilderByState<Command, QueryEvent, QueryRun, QueryRun> builder =
        newCommandHandlerWithReplyBuilder().forAnyState();
    driver.table(new QueryDriver.Table<>() {
      @Override
      public <M extends Command> QueryDriver.Table<ReplyEffect<QueryEvent, QueryRun>> on(Class<M> type,
          BiFunction<QueryRun, M, ReplyEffect<QueryEvent, QueryRun>> handler) {
        builder.onCommand(type, handler::apply);
        return this;
      }
    });
    return builder.build();
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public ReplyEffect<QueryEvent, QueryRun> record(List<QueryEvent> events, Consumer<QueryRun> after) {
    return Effect().persist(events).thenRun(after::accept).thenNoReply();
  }

  @Override
  public <T> ReplyEffect<QueryEvent, QueryRun> recordThenReply(List<QueryEvent> events, Consumer<QueryRun> after,
      ActorRef<T> to, Function<QueryRun, T> reply) {
    return Effect().persist(events).thenRun(after::accept).thenReply(to, reply::apply);
  }

  @Override
  public ReplyEffect<QueryEvent, QueryRun> none() {
    return Effect().noReply();
  }

  @Override
  public <T> ReplyEffect<QueryEvent, QueryRun> reply(ActorRef<T> to, T message) {
    return Effect().reply(to, message);
  }

  @Override
  public ReplyEffect<QueryEvent, QueryRun> stop() {
    return Effect().stop().thenNoReply();
  }

  @Override
  public <T> ReplyEffect<QueryEvent, QueryRun> stopThenReply(ActorRef<T> to, T message) {
    return Effect().stop().thenReply(to, run -> message);
  }
}
