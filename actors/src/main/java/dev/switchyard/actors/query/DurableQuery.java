package dev.switchyard.actors.query;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.query.QueryActor.CallTimedOut;
import dev.switchyard.actors.query.QueryActor.Command;
import dev.switchyard.actors.query.QueryActor.Completed;
import dev.switchyard.actors.query.QueryActor.FeedbackOutcome;
import dev.switchyard.actors.query.QueryActor.GetStatus;
import dev.switchyard.actors.query.QueryActor.GiveFeedback;
import dev.switchyard.actors.query.QueryActor.PoolReplied;
import dev.switchyard.actors.query.QueryActor.Refused;
import dev.switchyard.actors.query.QueryActor.Submit;
import dev.switchyard.actors.query.QueryActor.Watch;
import dev.switchyard.actors.query.QueryEvent.FeedbackReceived;
import dev.switchyard.actors.query.QueryEvent.QueryAccepted;
import dev.switchyard.actors.journal.JournalFault;
import dev.switchyard.actors.journal.JournalHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced query driver (persistence id {@code query|<id>}). Every step is journaled before it takes
 * effect: the route before the call (so a resumed query re-issues the same attempt id rather than deciding
 * again), the answer or failure before the next decision, the end before anyone is told. After a restart it
 * recovers the recorded run, rebuilds the planner's state from the recorded attempts, and continues at the
 * last recorded step: a finished call is never repeated. The {@link OpenQueries} registry knows it is unfinished
 * and pokes it with {@link QueryActor.Resume} after a restart. A journal write failure restarts the driver with
 * backoff (it then recovers and continues); it never resumes past an unwritten event. A {@link QueryActor.Cancel}
 * is journaled ({@code QueryCancelled}); the call in flight, if any, is still recorded, then the query ends with
 * its best answer so far without another call.
 */
final class DurableQuery extends EventSourcedBehaviorWithEnforcedReplies<Command, QueryEvent, QueryRun> {
  private final String queryId;
  private final QuerySession session;
  private final ActorContext<Command> ctx;
  /** Submits waiting for the registry's answer before the query is accepted. */
  private final List<Submit> pendingSubmits = new ArrayList<>();
  /** Submits whose acceptance is being written: told the outcome once the write succeeds (or fails). */
  private final List<Submit> acceptingSubmits = new ArrayList<>();
  /** A cancel that arrived while the query was being accepted: journaled together with the acceptance. */
  private String cancelOnAccept;
  private final JournalHealth journal;
  /** Why recovery failed, set by the RecoveryFailed signal before the restart that follows it. */
  private String recoveryFailure;

  static PersistenceId persistenceId(String queryId) {
    return PersistenceId.of("query", queryId, "|");
  }

  static Behavior<Command> create(String queryId, NodeServices services) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new DurableQuery(ctx, timers, queryId, services)));
  }

  private DurableQuery(ActorContext<Command> ctx, TimerScheduler<Command> timers, String queryId,
      NodeServices services) {
    super(persistenceId(queryId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.ctx = ctx;
    this.queryId = queryId;
    this.session = new QuerySession(queryId, services, ctx, timers);
    this.journal = JournalHealth.get(ctx.getSystem());
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
            session.startDeadline(run);
            ctx.getSelf().tell(QueryActor.Resume.INSTANCE);
          }
        })
        .onSignal(RecoveryFailed.class, (run, failed) -> onRecoveryFailed(failed))
        .onSignal(PreRestart.class, (run, restart) -> {
          if (recoveryFailure == null) {
            // Restarts follow journal failures only: a failed write marks the journal down at once.
            journal.writeFailed(JournalHealth.entity(QueryActor.TYPE_KEY, queryId), null);
          }
          refuseEveryoneWaiting(run, "JOURNAL_UNAVAILABLE");
        })
        .onSignal(PostStop.class, (run, stop) -> refuseEveryoneWaiting(run, "UNAVAILABLE"))
        .build();
  }

  /**
   * The query cannot read its journal: it restarts with backoff and tries again, while commands sent to it wait in
   * its stash; the engine refuses their callers at once instead (through {@link JournalHealth}).
   */
  private void onRecoveryFailed(RecoveryFailed failed) {
    recoveryFailure = JournalFault.of(failed.getFailure()).summary();
    journal.recoveryFailed(JournalHealth.entity(QueryActor.TYPE_KEY, queryId), recoveryFailure);
  }

  /**
   * A journal write failed (the driver restarts with backoff) or the driver stops with the query unfinished:
   * whoever waits is told at once that it may ask again with the same id, instead of waiting out its timeout.
   * An accepted query resumes by itself once the journal is back (the open-queries registry pokes it).
   */
  private void refuseEveryoneWaiting(QueryRun run, String reason) {
    if (run.finished()) {
      return;
    }
    Refused refused = new Refused(reason, "query " + queryId + (run.accepted()
        ? " was accepted but its progress could not be journaled; it resumes when the journal is back; ask again"
            + " with the same id for its result"
        : " could not be journaled and was not accepted; submit it again"), journal.retryAfter().toMillis());
    List<Submit> waiting = new ArrayList<>(pendingSubmits);
    waiting.addAll(acceptingSubmits);
    pendingSubmits.clear();
    acceptingSubmits.clear();
    waiting.forEach(s -> s.replyTo().tell(refused));
    session.refuseWaiters(refused);
  }

  @Override
  public CommandHandlerWithReply<Command, QueryEvent, QueryRun> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Submit.class, this::onSubmit)
        .onCommand(QueryActor.RegistrationDone.class, this::onRegistrationDone)
        .onCommand(QueryActor.Resume.class, (run, r) -> onResume(run))
        .onCommand(QueryActor.Advance.class, (run, a) -> advance(run, false))
        .onCommand(QueryActor.RetryDue.class, (run, r) -> advance(run, true))
        .onCommand(QueryActor.DeadlineReached.class, (run, d) -> onDeadline(run))
        .onCommand(QueryActor.KeepAliveDue.class, (run, k) -> {
          session.onKeepAliveDue(run);
          return Effect().noReply();
        })
        .onCommand(QueryActor.KeepAlive.class, (run, k) -> Effect().noReply())
        .onCommand(PoolReplied.class, (run, p) -> recordThenAdvance(session.onPoolReply(run, p.result())))
        .onCommand(CallTimedOut.class, (run, t) -> recordThenAdvance(session.onCallTimeout(run, t.attemptNo())))
        .onCommand(QueryActor.CallUnadmitted.class, (run, u) -> {
          session.onCallUnadmitted(run, u.attemptNo());
          return Effect().noReply();
        })
        .onCommand(Watch.class, this::onWatch)
        .onCommand(GetStatus.class, this::onGetStatus)
        .onCommand(GiveFeedback.class, this::onFeedback)
        .onCommand(QueryActor.Cancel.class, this::onCancel)
        .build();
  }

  private ReplyEffect<QueryEvent, QueryRun> onSubmit(QueryRun run, Submit submit) {
    if (run.finished()) {
      if (submit.stream()) {
        session.watch(run, submit.replyTo());
        return Effect().noReply();
      }
      return Effect().reply(submit.replyTo(), new Completed(run.result()));
    }
    if (run.accepted()) {
      session.join(run, submit.replyTo(), submit.stream(), submit.tokens());
      return Effect().noReply();
    }
    // Register with the open-queries registry first, so an accepted query is always known there.
    pendingSubmits.add(submit);
    session.keepAlive();
    if (pendingSubmits.size() == 1) {
      ctx.ask(OpenQueries.Registered.class, session.services().openQueries(),
          session.services().settings().callTimeout(), ref -> new OpenQueries.Opened(queryId, ref),
          (registered, error) -> new QueryActor.RegistrationDone(error == null));
    }
    return Effect().noReply();
  }

  private ReplyEffect<QueryEvent, QueryRun> onRegistrationDone(QueryRun run, QueryActor.RegistrationDone done) {
    List<Submit> submits = new ArrayList<>(pendingSubmits);
    pendingSubmits.clear();
    if (submits.isEmpty() || run.accepted()) {
      return Effect().noReply();
    }
    if (!done.registered()) {
      Refused refused = new Refused("UNAVAILABLE", "the open-queries registry did not answer; query " + queryId
          + " was not accepted", 1_000);
      submits.forEach(s -> s.replyTo().tell(refused));
      return Effect().stop().thenNoReply();
    }
    Submit first = submits.get(0);
    QueryAccepted accepted = new QueryAccepted(first.query(), first.pipeline(),
        session.policyVersion(first.pipeline()), session.now());
    List<QueryEvent> events = cancelOnAccept == null ? List.of(accepted)
        : List.of(accepted, new QueryEvent.QueryCancelled(cancelOnAccept, session.now()));
    acceptingSubmits.addAll(submits);
    return Effect().persist(events).thenRun((QueryRun next) -> {
      acceptingSubmits.clear();
      submits.forEach(s -> session.join(next, s.replyTo(), s.stream(), s.tokens()));
      session.startDeadline(next);
      session.selfAdvance();
    }).thenNoReply();
  }

  private ReplyEffect<QueryEvent, QueryRun> onResume(QueryRun run) {
    if (!run.accepted()) {
      if (pendingSubmits.isEmpty()) {
        session.services().openQueries().tell(new OpenQueries.Closed(queryId)); // registered, never accepted
        return Effect().stop().thenNoReply();
      }
      return Effect().noReply();
    }
    if (run.finished()) {
      session.services().openQueries().tell(new OpenQueries.Closed(queryId));
      return Effect().noReply();
    }
    if (run.pending() != null) {
      if (session.callSentThisIncarnation(run)) {
        return Effect().noReply();
      }
      if (session.services().settings().inFlightOnResume() == EngineSettings.InFlightOnResume.REPLAN) {
        QueryRun.Pending lost = run.pending();
        return recordThenAdvance(new QueryEvent.AttemptFailed(lost.attemptNo(), lost.modelId(), false, "LOST",
            "the call was in flight when the query's node stopped; recorded as lost and not sent again"
                + " (switchyard.query.resume-in-flight = replan)", -1, session.now()));
      }
      session.sendCall(run, false); // the same attempt id as before; nobody watches its tokens yet
      return Effect().noReply();
    }
    session.selfAdvance();
    return Effect().noReply();
  }

  private ReplyEffect<QueryEvent, QueryRun> advance(QueryRun run, boolean retryDue) {
    QueryLogic.Next next = session.decide(run, retryDue);
    if (next instanceof QueryLogic.CallModel call) {
      return Effect().persist(call.routed()).thenRun((QueryRun after) -> {
        session.notifySteps(after);
        session.sendCall(after, call.answerAsIs());
      }).thenNoReply();
    }
    if (next instanceof QueryLogic.Record rec) {
      return Effect().persist(rec.events()).thenRun((QueryRun after) -> {
        session.notifySteps(after);
        session.selfAdvance();
      }).thenNoReply();
    }
    if (next instanceof QueryLogic.Wait wait) {
      session.scheduleRetry(wait.delayMillis());
      return Effect().noReply();
    }
    if (next instanceof QueryLogic.Finish finish) {
      return finish(finish.event());
    }
    return Effect().noReply();
  }

  private ReplyEffect<QueryEvent, QueryRun> finish(QueryEvent end) {
    return Effect().persist(end).thenRun((QueryRun after) -> {
      session.finished(after);
      session.services().openQueries().tell(new OpenQueries.Closed(queryId));
    }).thenNoReply();
  }

  private ReplyEffect<QueryEvent, QueryRun> recordThenAdvance(QueryEvent event) {
    if (event == null) {
      return Effect().noReply();
    }
    return Effect().persist(event).thenRun((QueryRun after) -> {
      session.notifySteps(after);
      session.selfAdvance();
    }).thenNoReply();
  }

  private ReplyEffect<QueryEvent, QueryRun> onDeadline(QueryRun run) {
    if (!run.running()) {
      return Effect().noReply();
    }
    QueryLogic.Next forced = QueryLogic.forced(run, "deadline of " + run.query().budget().deadlineMillis()
        + " ms exceeded", session.now());
    return finish(((QueryLogic.Finish) forced).event());
  }

  private ReplyEffect<QueryEvent, QueryRun> onCancel(QueryRun run, QueryActor.Cancel cancel) {
    if (!run.accepted()) {
      if (pendingSubmits.isEmpty()) {
        return Effect().stop().thenNoReply(); // nothing to cancel
      }
      cancelOnAccept = cancel.reason();
      return Effect().noReply();
    }
    if (!run.running() || run.cancelled()) {
      return Effect().noReply();
    }
    return Effect().persist(new QueryEvent.QueryCancelled(cancel.reason(), session.now()))
        .thenRun((QueryRun after) -> {
          if (after.pending() == null) {
            session.selfAdvance(); // nothing in flight: end now
          }
        }).thenNoReply();
  }

  /** An id nobody submitted (and nobody is submitting): answer, then stop instead of lingering. */
  private boolean unknownId(QueryRun run) {
    return !run.accepted() && pendingSubmits.isEmpty();
  }

  private ReplyEffect<QueryEvent, QueryRun> onWatch(QueryRun run, Watch watch) {
    if (unknownId(run)) {
      return Effect().stop().thenReply(watch.watcher(), r -> unknown());
    }
    if (!run.accepted()) {
      return Effect().reply(watch.watcher(), new Refused("UNAVAILABLE", "query " + queryId
          + " is being accepted; watch again", 100));
    }
    session.watch(run, watch.watcher());
    return Effect().noReply();
  }

  private ReplyEffect<QueryEvent, QueryRun> onGetStatus(QueryRun run, GetStatus get) {
    if (unknownId(run)) {
      return Effect().stop().thenReply(get.replyTo(), r -> session.status(r, true));
    }
    return Effect().reply(get.replyTo(), session.status(run, true));
  }

  private ReplyEffect<QueryEvent, QueryRun> onFeedback(QueryRun run, GiveFeedback give) {
    if (unknownId(run)) {
      return Effect().stop().thenReply(give.replyTo(),
          r -> FeedbackOutcome.unknown("no query " + give.feedback().queryId()));
    }
    FeedbackOutcome refusal = QuerySession.feedbackRefusal(run, give.feedback());
    if (refusal != null) {
      return Effect().reply(give.replyTo(), refusal);
    }
    // the journaled FeedbackReceived events are the query's rewards: a restart still knows it has one
    boolean learn = QuerySession.firstFeedback(run);
    FeedbackReceived received = new FeedbackReceived(give.feedback().reward(), give.feedback().source(),
        session.now());
    return Effect().persist(received).thenRun((QueryRun after) -> {
      if (learn) {
        session.learn(after, after.result().episode().withScore(give.feedback().reward()));
      }
    }).thenReply(give.replyTo(), after -> QuerySession.feedbackAccepted(after, learn));
  }

  private Refused unknown() {
    return new Refused("INVALID", "no query " + queryId, -1);
  }
}
