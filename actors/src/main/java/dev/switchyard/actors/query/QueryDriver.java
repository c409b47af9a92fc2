package dev.switchyard.actors.query;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.pool.FailureKind;
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
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The one query driver: the table of the query's commands and what each does, for both modes. A mode (a
 * {@link Recording}) differs only in how an event is recorded: {@link EphemeralQuery} applies it in memory,
 * {@link DurableQuery} journals it first, and both then run the same continuation. A durable query is also
 * registered with {@link OpenQueries} before it is accepted and closed there when it ends, which is what lets it
 * be resumed; an ephemeral one is accepted at once and never resumed.
 *
 * @param <R> what a handler returns: a behavior for the in-memory driver, a reply effect for the journaled one
 */
final class QueryDriver<R> {

  /** How the events of a query are recorded, and the effects a handler can have, in one mode. */
  interface Recording<R> {
    /** Whether the query is journaled (and so registered with {@link OpenQueries} and resumed). */
    boolean durable();

    /** Records {@code events} in order, then runs {@code after} with the run they lead to. */
    R record(List<QueryEvent> events, Consumer<QueryRun> after);

    /** Records {@code events}, runs {@code after}, then replies what {@code reply} makes of the new run. */
    <T> R recordThenReply(List<QueryEvent> events, Consumer<QueryRun> after, ActorRef<T> to,
        Function<QueryRun, T> reply);

    R none();

    <T> R reply(ActorRef<T> to, T message);

    /** Ends the entity, through a passivation (messages meanwhile go to its next incarnation). */
    R stop();

    /** Replies, then ends the entity as {@link #stop} does. */
    <T> R stopThenReply(ActorRef<T> to, T message);
  }

  /** Where the handlers go: the mode's receive builder or command handler builder. */
  interface Table<R> {
    <M extends Command> Table<R> on(Class<M> type, BiFunction<QueryRun, M, R> handler);
  }

  private final String queryId;
  private final QuerySession session;
  private final Recording<R> mode;
  /** Submits waiting for the registry's answer (durable) before the query is accepted. */
  private final List<Submit> pendingSubmits = new ArrayList<>();
  /** Submits whose acceptance is being recorded: told the outcome once the write succeeds (or fails). */
  private final List<Submit> acceptingSubmits = new ArrayList<>();
  /** A cancel that arrived while the query was being accepted: recorded together with the acceptance. */
  private String cancelOnAccept;

  QueryDriver(String queryId, QuerySession session, Recording<R> mode) {
    this.queryId = queryId;
    this.session = session;
    this.mode = mode;
  }

  QuerySession session() {
    return session;
  }

  /** Puts every command's handler into {@code table}. */
  void table(Table<R> table) {
    table.on(Submit.class, this::onSubmit)
        .on(QueryActor.RegistrationDone.class, this::onRegistrationDone)
        .on(QueryActor.Resume.class, (run, resume) -> onResume(run))
        .on(QueryActor.Advance.class, (run, advance) -> advance(run, false))
        .on(QueryActor.RetryDue.class, (run, due) -> advance(run, true))
        .on(QueryActor.DeadlineReached.class, (run, reached) -> onDeadline(run))
        .on(QueryActor.KeepAliveDue.class, (run, due) -> onKeepAliveDue(run))
        .on(QueryActor.KeepAlive.class, (run, alive) -> mode.none())
        .on(PoolReplied.class, (run, p) -> recordThenAdvance(run, session.onPoolReply(run, p.result())))
        .on(CallTimedOut.class, (run, t) -> recordThenAdvance(run, session.onCallTimeout(run, t.attemptNo())))
        .on(QueryActor.AdmittingPoolStopped.class,
            (run, s) -> recordThenAdvance(run, session.onAdmittingPoolStopped(run, s.attemptNo())))
        .on(QueryActor.CallUnadmitted.class, this::onCallUnadmitted)
        .on(QueryActor.LedgerReplied.class, (run, l) -> recordThenAdvance(run, session.onLedgerReplied(run, l)))
        .on(Watch.class, this::onWatch)
        .on(GetStatus.class, this::onGetStatus)
        .on(GiveFeedback.class, this::onFeedback)
        .on(QueryActor.Cancel.class, this::onCancel);
  }

  /** Records {@code events}; then tells watchers the new steps and, at the end, everyone the result. */
  private R record(QueryRun before, List<QueryEvent> events, Consumer<QueryRun> then) {
    boolean wasFinished = before.finished();
    return mode.record(events, after -> {
      recorded(wasFinished, after);
      then.accept(after);
    });
  }

  private void recorded(boolean wasFinished, QueryRun after) {
    if (after.finished() && !wasFinished) {
      session.finished(after);
      if (mode.durable()) {
        session.services().openQueries().tell(new OpenQueries.Closed(queryId));
      }
    } else {
      session.notifySteps(after);
    }
  }

  R onSubmit(QueryRun run, Submit submit) {
    if (run.finished()) {
      if (submit.stream()) {
        session.watch(run, submit.replyTo());
        return mode.none();
      }
      return mode.reply(submit.replyTo(), new Completed(run.result()));
    }
    if (run.accepted()) {
      session.join(run, submit.replyTo(), submit.stream(), submit.tokens());
      return mode.none();
    }
    pendingSubmits.add(submit);
    if (!mode.durable()) {
      return accept(run);
    }
    // Register with the open-queries registry first, so an accepted durable query is always known there.
    session.keepAlive();
    if (pendingSubmits.size() == 1) {
      session.register();
    }
    return mode.none();
  }

  private R onRegistrationDone(QueryRun run, QueryActor.RegistrationDone done) {
    if (pendingSubmits.isEmpty() || run.accepted()) {
      pendingSubmits.clear();
      return mode.none();
    }
    if (!done.registered()) {
      Refused refused = new Refused("UNAVAILABLE", "the open-queries registry did not answer; query " + queryId
          + " was not accepted", session.services().settings().registryRetryAfter().toMillis());
      pendingSubmits.forEach(s -> s.replyTo().tell(refused));
      pendingSubmits.clear();
      return mode.stop();
    }
    return accept(run);
  }

  /** Records the acceptance (with a cancel that came meanwhile) and lets every pending submitter join. */
  private R accept(QueryRun run) {
    List<Submit> submits = List.copyOf(pendingSubmits);
    pendingSubmits.clear();
    Submit first = submits.get(0);
    session.traceparent(first.traceparent());
    QueryAccepted accepted = new QueryAccepted(first.query(), first.pipeline(),
        session.policyVersion(first.pipeline()), session.now());
    List<QueryEvent> events = cancelOnAccept == null ? List.of(accepted)
        : List.of(accepted, new QueryEvent.QueryCancelled(cancelOnAccept, session.now()));
    acceptingSubmits.addAll(submits);
    return record(run, events, next -> {
      acceptingSubmits.clear();
      submits.forEach(s -> session.join(next, s.replyTo(), s.stream(), s.tokens()));
      session.startDeadline(next);
      session.selfAdvance();
    });
  }

  private R onResume(QueryRun run) {
    if (!mode.durable()) {
      return mode.none(); // only durable queries are registered, hence resumed
    }
    if (!run.accepted()) {
      if (pendingSubmits.isEmpty()) {
        session.services().openQueries().tell(new OpenQueries.Closed(queryId)); // registered, never accepted
        return mode.stop();
      }
      return mode.none();
    }
    if (run.finished()) {
      session.services().openQueries().tell(new OpenQueries.Closed(queryId));
      return mode.none();
    }
    if (run.pending() != null) {
      if (session.callSentThisIncarnation(run)) {
        return mode.none();
      }
      if (session.services().settings().inFlightOnResume() == EngineSettings.InFlightOnResume.REPLAN) {
        QueryRun.Pending lost = run.pending();
        return recordThenAdvance(run, QueryEvent.AttemptFailed.of(lost.attemptNo(), lost.modelId(),
            FailureKind.LOST, "the call was in flight when the query's node stopped; recorded as lost and not"
                + " sent again (switchyard.query.resume-in-flight = replan)", -1, session.now()));
      }
      session.sendCall(run, false); // the same attempt id as before; nobody watches its tokens yet
      return mode.none();
    }
    session.selfAdvance();
    return mode.none();
  }

  private R advance(QueryRun run, boolean retryDue) {
    QueryLogic.Next next = session.decide(run, retryDue);
    if (next instanceof QueryLogic.CallModel call) {
      return record(run, List.of(call.routed()), after -> session.sendCall(after, call.answerAsIs()));
    }
    if (next instanceof QueryLogic.Record rec) {
      return record(run, rec.events(), after -> session.selfAdvance());
    }
    if (next instanceof QueryLogic.Wait wait) {
      session.scheduleRetry(wait.delayMillis());
      return mode.none();
    }
    if (next instanceof QueryLogic.Finish finish) {
      return record(run, List.of(finish.event()), after -> {});
    }
    return mode.none();
  }

  private R recordThenAdvance(QueryRun run, QueryEvent event) {
    if (event == null) {
      return mode.none();
    }
    return record(run, List.of(event), after -> session.selfAdvance());
  }

  private R onDeadline(QueryRun run) {
    if (!run.running()) {
      return mode.none();
    }
    QueryLogic.Finish forced = QueryLogic.forced(run, "deadline of " + run.query().budget().deadlineMillis()
        + " ms exceeded", session.now());
    return record(run, List.of(forced.event()), after -> {});
  }

  private R onKeepAliveDue(QueryRun run) {
    session.onKeepAliveDue(run);
    return mode.none();
  }

  private R onCallUnadmitted(QueryRun run, QueryActor.CallUnadmitted unadmitted) {
    session.onCallUnadmitted(run, unadmitted.attemptNo());
    return mode.none();
  }

  private R onCancel(QueryRun run, QueryActor.Cancel cancel) {
    if (!run.accepted()) {
      if (pendingSubmits.isEmpty()) {
        return mode.stop(); // nothing to cancel
      }
      cancelOnAccept = cancel.reason();
      return mode.none();
    }
    if (!run.running() || run.cancelled()) {
      return mode.none();
    }
    return record(run, List.of(new QueryEvent.QueryCancelled(cancel.reason(), session.now())), after -> {
      if (after.pending() == null) {
        session.selfAdvance(); // nothing in flight: end now
      }
    });
  }

  /** An id nobody submitted (and nobody is submitting): answer, then stop instead of lingering. */
  private boolean unknownId(QueryRun run) {
    return !run.accepted() && pendingSubmits.isEmpty();
  }

  private R onWatch(QueryRun run, Watch watch) {
    if (unknownId(run)) {
      return mode.stopThenReply(watch.watcher(), new Refused("INVALID", "no query " + queryId, -1));
    }
    if (!run.accepted()) {
      return mode.reply(watch.watcher(), new Refused("UNAVAILABLE", "query " + queryId
          + " is being accepted; watch again", session.services().settings().watchRetryAfter().toMillis()));
    }
    session.watch(run, watch.watcher());
    return mode.none();
  }

  private R onGetStatus(QueryRun run, GetStatus get) {
    if (unknownId(run)) {
      return mode.stopThenReply(get.replyTo(), session.status(run, mode.durable()));
    }
    return mode.reply(get.replyTo(), session.status(run, mode.durable()));
  }

  private R onFeedback(QueryRun run, GiveFeedback give) {
    if (unknownId(run)) {
      return mode.stopThenReply(give.replyTo(), FeedbackOutcome.unknown("no query " + give.feedback().queryId()));
    }
    FeedbackOutcome refusal = QuerySession.feedbackRefusal(run, give.feedback());
    if (refusal != null) {
      return mode.reply(give.replyTo(), refusal);
    }
    // the recorded FeedbackReceived events are the query's rewards: a restart still knows it has one
    boolean learn = QuerySession.firstFeedback(run);
    FeedbackReceived received = new FeedbackReceived(give.feedback().reward(), give.feedback().source(),
        session.now());
    boolean wasFinished = run.finished();
    return mode.recordThenReply(List.of(received), after -> {
      recorded(wasFinished, after);
      if (learn) {
        session.learn(after, after.result().episode().withScore(give.feedback().reward()), true);
      }
    }, give.replyTo(), after -> QuerySession.feedbackAccepted(after, learn));
  }

  /**
   * The driver is going away (a journal write failed and it restarts, or it stops) with the query unfinished:
   * whoever waits is told at once that it may ask again with the same id, instead of waiting out its timeout.
   * An accepted query resumes by itself once the journal is back (the open-queries registry pokes it).
   */
  void refuseEveryoneWaiting(QueryRun run, String reason, long retryAfterMillis) {
    if (run.finished()) {
      return;
    }
    Refused refused = new Refused(reason, "query " + queryId + (run.accepted()
        ? " was accepted but its progress could not be journaled; it resumes when the journal is back; ask again"
            + " with the same id for its result"
        : " could not be journaled and was not accepted; submit it again"), retryAfterMillis);
    List<Submit> waiting = new ArrayList<>(pendingSubmits);
    waiting.addAll(acceptingSubmits);
    pendingSubmits.clear();
    acceptingSubmits.clear();
    waiting.forEach(s -> s.replyTo().tell(refused));
    session.refuseWaiters(refused);
  }
}
