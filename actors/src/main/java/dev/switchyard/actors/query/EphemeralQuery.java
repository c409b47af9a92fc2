package dev.switchyard.actors.query;

import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.query.QueryActor.CallTimedOut;
import dev.switchyard.actors.query.QueryActor.Command;
import dev.switchyard.actors.query.QueryActor.Completed;
import dev.switchyard.actors.query.QueryActor.FeedbackOutcome;
import dev.switchyard.actors.query.QueryActor.GetStatus;
import dev.switchyard.actors.query.QueryActor.GiveFeedback;
import dev.switchyard.actors.query.QueryActor.PoolReplied;
import dev.switchyard.actors.query.QueryActor.Submit;
import dev.switchyard.actors.query.QueryActor.Watch;
import dev.switchyard.actors.query.QueryEvent.FeedbackReceived;
import dev.switchyard.actors.query.QueryEvent.QueryAccepted;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The in-memory query driver: applies the same events as {@link DurableQuery} without journaling them. Fast,
 * and lost with its node. Kept after the end (until passivated) so repeats and feedback find the result.
 */
final class EphemeralQuery extends AbstractBehavior<Command> {
  private final QuerySession session;
  private QueryRun run = QueryRun.none();

  EphemeralQuery(ActorContext<Command> ctx, TimerScheduler<Command> timers, String queryId, NodeServices services) {
    super(ctx);
    this.session = new QuerySession(queryId, services, ctx, timers);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Submit.class, this::onSubmit)
        .onMessage(PoolReplied.class, this::onPoolReplied)
        .onMessage(CallTimedOut.class, this::onCallTimedOut)
        .onMessage(QueryActor.CallUnadmitted.class, u -> {
          session.onCallUnadmitted(run, u.attemptNo());
          return this;
        })
        .onMessageEquals(QueryActor.Advance.INSTANCE, () -> advance(false))
        .onMessageEquals(QueryActor.RetryDue.INSTANCE, () -> advance(true))
        .onMessageEquals(QueryActor.DeadlineReached.INSTANCE, this::onDeadline)
        .onMessageEquals(QueryActor.Resume.INSTANCE, () -> this)
        .onMessageEquals(QueryActor.KeepAliveDue.INSTANCE, () -> {
          session.onKeepAliveDue(run);
          return this;
        })
        .onMessageEquals(QueryActor.KeepAlive.INSTANCE, () -> this)
        .onMessage(QueryActor.Cancel.class, this::onCancel)
        .onMessage(Watch.class, this::onWatch)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(GiveFeedback.class, this::onFeedback)
        .build();
  }

  Behavior<Command> onSubmit(Submit submit) {
    if (run.finished()) {
      if (submit.stream()) {
        session.watch(run, submit.replyTo());
      } else {
        submit.replyTo().tell(new Completed(run.result()));
      }
      return this;
    }
    session.join(run, submit.replyTo(), submit.stream(), submit.tokens());
    if (!run.accepted()) {
      record(new QueryAccepted(submit.query(), submit.pipeline(), session.policyVersion(submit.pipeline()),
          session.now()));
      session.startDeadline(run);
      return advance(false);
    }
    return this;
  }

  private void record(QueryEvent event) {
    boolean wasFinished = run.finished();
    run = run.apply(event);
    session.notifySteps(run);
    if (run.finished() && !wasFinished) {
      session.finished(run);
    }
  }

  private Behavior<Command> advance(boolean retryDue) {
    while (true) {
      QueryLogic.Next next = session.decide(run, retryDue);
      retryDue = false;
      if (next instanceof QueryLogic.CallModel call) {
        record(call.routed());
        session.sendCall(run, call.answerAsIs());
        return this;
      }
      if (next instanceof QueryLogic.Record rec) {
        rec.events().forEach(this::record);
        continue;
      }
      if (next instanceof QueryLogic.Wait wait) {
        session.scheduleRetry(wait.delayMillis());
        return this;
      }
      if (next instanceof QueryLogic.Finish finish) {
        record(finish.event());
      }
      return this;
    }
  }

  private Behavior<Command> onPoolReplied(PoolReplied replied) {
    QueryEvent event = session.onPoolReply(run, replied.result());
    if (event == null) {
      return this;
    }
    record(event);
    return advance(false);
  }

  private Behavior<Command> onCallTimedOut(CallTimedOut timeout) {
    QueryEvent event = session.onCallTimeout(run, timeout.attemptNo());
    if (event == null) {
      return this;
    }
    record(event);
    return advance(false);
  }

  private Behavior<Command> onCancel(QueryActor.Cancel cancel) {
    if (!run.running() || run.cancelled()) {
      return this;
    }
    record(new QueryEvent.QueryCancelled(cancel.reason(), session.now()));
    return run.pending() == null ? advance(false) : this;
  }

  private Behavior<Command> onDeadline() {
    if (run.running()) {
      QueryLogic.Next forced = QueryLogic.forced(run, "deadline of " + run.query().budget().deadlineMillis()
          + " ms exceeded", session.now());
      record(((QueryLogic.Finish) forced).event());
    }
    return this;
  }

  private Behavior<Command> onWatch(Watch watch) {
    session.watch(run, watch.watcher());
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    get.replyTo().tell(session.status(run, false));
    return this;
  }

  private Behavior<Command> onFeedback(GiveFeedback give) {
    FeedbackOutcome refusal = QuerySession.feedbackRefusal(run, give.feedback());
    if (refusal != null) {
      give.replyTo().tell(refusal);
      return this;
    }
    boolean learn = QuerySession.firstFeedback(run);
    record(new FeedbackReceived(give.feedback().reward(), give.feedback().source(), session.now()));
    if (learn) {
      session.learn(run, run.result().episode().withScore(give.feedback().reward()));
    }
    give.replyTo().tell(QuerySession.feedbackAccepted(run, learn));
    return this;
  }
}
