package dev.switchyard.actors.query;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.shadow.LocalShadows;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.actors.tenant.TenantLedger;
import dev.switchyard.actors.tenant.TenantMeter;
import dev.switchyard.actors.learn.LocalPolicies;
import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.actors.query.QueryActor.CallTimedOut;
import dev.switchyard.actors.query.QueryActor.Command;
import dev.switchyard.actors.query.QueryActor.Completed;
import dev.switchyard.actors.query.QueryActor.Reply;
import dev.switchyard.actors.query.QueryActor.StepMade;
import dev.switchyard.actors.query.QueryActor.TokensStreamed;
import dev.switchyard.actors.query.QueryEvent.AttemptFailed;
import dev.switchyard.actors.query.QueryEvent.ModelAnswered;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The side of a query driver that is not state: who waits for the result, who watches the steps, the call in
 * flight in this incarnation, the timers, and talking to pools and the learner. Shared by the ephemeral and the
 * durable driver so both behave the same.
 */
final class QuerySession {
  private static final String CALL_TIMER = "call";
  private static final String DEADLINE_TIMER = "deadline";
  private static final String RETRY_TIMER = "retry";
  private static final String KEEP_ALIVE_TIMER = "keep-alive";
  private static final String ADMISSION_TIMER = "admission";

  private final String queryId;
  private final NodeServices services;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ModelPool.CallResult> poolReplies;
  private final List<ActorRef<Reply>> waiters = new ArrayList<>();
  private final List<ActorRef<Reply>> watchers = new ArrayList<>();
  /** The watchers that also take the answer's tokens as they arrive. */
  private final List<ActorRef<Reply>> tokenWatchers = new ArrayList<>();
  private int notifiedSteps;
  private int callInFlight = -1;
  /** The call in flight until its pool acknowledges it (null once acknowledged or answered). */
  private BackendRequest unadmitted;
  /** When the query's deadline passes (epoch millis), 0 when it has none: calls carry what is left of it. */
  private long deadlineAtMillis;
  /** The pool that admitted the call in flight, watched until the call ends; null when none is. */
  private ActorRef<ModelPool.Command> admittingPool;
  /** Whether tokens of the call in flight reached a token watcher (then it is not sent again). */
  private boolean tokensStreamed;
  /** The trace context of the request this query serves (see {@link QueryActor.Submit}), null when untraced. */
  private String traceparent;
  /** The call waiting for its tenant's ledger to grant its reservation, null when none is. */
  private AwaitingGrant awaitingGrant;
  /** The estimates granted to this incarnation's calls not settled yet, by attempt number. */
  private final Map<Integer, TenantMeter.Estimate> reservations = new HashMap<>();

  private record AwaitingGrant(int attemptNo, BackendRequest request, TenantMeter.Estimate estimate) {}

  QuerySession(String queryId, NodeServices services, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    this.queryId = queryId;
    this.services = services;
    this.ctx = ctx;
    this.timers = timers;
    this.poolReplies = ctx.messageAdapter(ModelPool.CallResult.class, QueryActor.PoolReplied::new);
  }

  NodeServices services() {
    return services;
  }

  /** The model calls of this incarnation serve the traced request {@code traceparent} (null: untraced). */
  void traceparent(String traceparent) {
    this.traceparent = traceparent;
  }

  long now() {
    return services.clock().millis();
  }

  /** The acting policy version for a new query of {@code pipeline}. */
  long policyVersion(String pipeline) {
    return services.policies().view(pipeline).map(LocalPolicies.View::activeVersion).orElse(0L);
  }

  QueryLogic.Next decide(QueryRun run, boolean retryDue) {
    PipelineDefinition def = services.pipelines().get(run.pipeline());
    if (def == null) {
      return new QueryLogic.Finish(new QueryEvent.QueryAbstained("pipeline " + run.pipeline()
          + " is not served on this node", List.of(), now()));
    }
    LocalShadows shadows = services.shadows();
    QueryLogic.Planners planners = def.isLearned()
        ? services.policies().view(def.name()).map(QueryLogic.Planners::of)
            .orElse(QueryLogic.Planners.fixed(def.learner().get().planner()))
        : QueryLogic.Planners.fixed(shadows.acting(def.name()).map(LocalShadows.Entry::planner)
            .orElse(def.fixedPlanner()));
    var shadow = shadows.shadow(def.name());
    if (shadow.isPresent()) {
      planners = planners.withShadow(shadow.get().label(), shadow.get().planner());
    }
    planners = planners.withActive(services.metrics().timed(def.name(), planners.active()));
    List<ModelCard> models = def.models().isEmpty() ? services.models()
        : services.models().stream().filter(m -> def.models().contains(m.id())).toList();
    Set<String> modelIds = def.models().isEmpty() ? services.modelIds() : Set.copyOf(def.models());
    return QueryLogic.decide(run, planners, models, modelIds, services.loads().snapshot(), now(),
        services.settings(), retryDue);
  }

  /**
   * Sends the run's pending call to its model's pool (again, with the same attempt id, after a resume). The call
   * streams its tokens when its answer is taken as it is and someone watches for tokens. A call of a tenant with a
   * budget or token limit first reserves its estimate with the tenant's ledger and is sent once granted
   * ({@link #onLedgerReplied}).
   */
  void sendCall(QueryRun run, boolean answerAsIs) {
    QueryRun.Pending pending = run.pending();
    Query query = run.query();
    List<ChatMessage> messages = pending.subQuery() == null ? query.messages()
        : List.of(ChatMessage.user(pending.subQuery()));
    String text = pending.subQuery() == null ? query.text() : pending.subQuery();
    BackendRequest request = new BackendRequest(QueryRun.attemptId(queryId, pending.attemptNo()), pending.modelId(),
        messages, text, query.maxOutputTokens(), query.params(), false, traceparent);
    if (answerAsIs && !tokenWatchers.isEmpty()) {
      request = request.withStreamTokens();
    }
    TenantMeter meter = services.tenants();
    if (meter.metered(query.tenant()).filter(TenantMeter::reserves).isPresent()) {
      reserveThenSend(query.tenant(), request, pending.attemptNo());
      return;
    }
    transmit(run, request, pending.attemptNo());
  }

  private void transmit(QueryRun run, BackendRequest request, int attemptNo) {
    long remaining = remainingDeadlineMillis(run);
    deadlineAtMillis = remaining >= 0 ? now() + remaining : 0;
    tellPool(request, run.query().tenant(), attemptNo);
    timers.startSingleTimer(CALL_TIMER, new CallTimedOut(attemptNo), services.settings().callTimeout());
    if (callInFlight != attemptNo) {
      tokensStreamed = false;
    }
    callInFlight = attemptNo;
    unadmitted = request;
    keepAlive();
  }

  private void reserveThenSend(String tenant, BackendRequest request, int attemptNo) {
    TenantMeter meter = services.tenants();
    ModelCard card = services.models().stream().filter(m -> m.id().equals(request.modelId())).findFirst()
        .orElse(null);
    TenantMeter.Estimate estimate = meter.estimate(card, request);
    awaitingGrant = new AwaitingGrant(attemptNo, request, estimate);
    ctx.ask(TenantLedger.ReserveReply.class, meter.ledger(tenant), meter.settings().askTimeout(),
        replyTo -> new TenantLedger.Reserve(request.attemptId(), estimate.usd(), estimate.tokens(), replyTo),
        (reply, error) -> new QueryActor.LedgerReplied(attemptNo, reply, error == null ? null : error.toString()));
    keepAlive();
  }

  /**
   * The ledger's answer to the reservation of call {@code attemptNo}: granted, the call is sent; refused (or not
   * answered in time), the event recording the call as refused by the tenant's ledger. Null when nothing is to be
   * recorded (sent, or stale: a grant for a call no longer pending is released).
   */
  QueryEvent onLedgerReplied(QueryRun run, QueryActor.LedgerReplied replied) {
    AwaitingGrant awaiting = awaitingGrant;
    boolean pending = run.running() && run.pending() != null && run.pending().attemptNo() == replied.attemptNo();
    if (awaiting == null || awaiting.attemptNo() != replied.attemptNo() || !pending) {
      if (!pending && replied.reply() instanceof TenantLedger.Granted granted) {
        services.tenants().ledger(run.query().tenant()).tell(new TenantLedger.Settle(granted.callId(), 0, 0));
      }
      return null;
    }
    awaitingGrant = null;
    if (replied.reply() instanceof TenantLedger.Granted) {
      reservations.put(replied.attemptNo(), awaiting.estimate());
      transmit(run, awaiting.request(), replied.attemptNo());
      return null;
    }
    if (replied.reply() instanceof TenantLedger.ReserveRefused refused) {
      FailureKind kind = switch (refused.limit()) {
        case BUDGET_PER_DAY -> FailureKind.TENANT_DAY_BUDGET;
        case BUDGET_PER_MONTH -> FailureKind.TENANT_MONTH_BUDGET;
        default -> FailureKind.TENANT_TOKEN_RATE;
      };
      return AttemptFailed.of(replied.attemptNo(), run.pending().modelId(), kind, refused.message(),
          refused.retryAfterMillis(), now());
    }
    return AttemptFailed.of(replied.attemptNo(), run.pending().modelId(), FailureKind.TENANT_LEDGER_UNAVAILABLE,
        "the ledger of tenant " + run.query().tenant() + " did not grant the call within "
            + services.tenants().settings().askTimeout() + " (" + replied.error() + "); it was not sent", 1000, now());
  }

  /**
   * Tells the tenant's ledger what call {@code attemptNo} cost: a tenant with limits settles the reservation (the
   * real cost, or 0 to release it); one without has its spend recorded. Nothing for a query of no metered tenant.
   */
  private void settle(QueryRun run, int attemptNo, double usd, long tokens) {
    String tenant = run.query().tenant();
    var spec = services.tenants().metered(tenant);
    if (spec.isEmpty()) {
      return;
    }
    reservations.remove(attemptNo);
    // also when this incarnation reserved nothing: an earlier one may have, and the ledger knows the call's id
    services.tenants().ledger(tenant).tell(new TenantLedger.Settle(QueryRun.attemptId(queryId, attemptNo), usd,
        tokens));
  }

  /** A call whose end is unknown (timed out, lost with its pool): charged at its estimate, as the upstream may bill. */
  private void settleAtEstimate(QueryRun run, int attemptNo) {
    TenantMeter.Estimate held = reservations.get(attemptNo);
    if (held != null) {
      settle(run, attemptNo, held.usd(), held.tokens());
    }
  }

  /** Sends the call with what is left of the query's deadline, so the pool refuses it if it cannot start in time. */
  private void tellPool(BackendRequest request, String tenant, int attemptNo) {
    long maxWait = deadlineAtMillis > 0 ? Math.max(1, deadlineAtMillis - now()) : 0;
    services.sharding().entityRefFor(ModelPool.TYPE_KEY, request.modelId())
        .tell(new ModelPool.Call(request, poolReplies, maxWait, tenant));
    timers.startSingleTimer(ADMISSION_TIMER, new QueryActor.CallUnadmitted(attemptNo),
        services.settings().callAdmissionTimeout());
  }

  /** Sends the pending call again when its pool has not acknowledged it; the pool runs an attempt id once. */
  void onCallUnadmitted(QueryRun run, int attemptNo) {
    if (unadmitted != null && run.running() && run.pending() != null && run.pending().attemptNo() == attemptNo
        && callInFlight == attemptNo) {
      tellPool(unadmitted, run.query().tenant(), attemptNo);
    }
  }

  /**
   * From now until the run finishes, shows the shard some activity so that idle passivation leaves the query
   * alone: while it registers, waits on a slow journal, a call or a retry (see {@link QueryActor.KeepAlive}).
   */
  void keepAlive() {
    if (!timers.isTimerActive(KEEP_ALIVE_TIMER)) {
      timers.startTimerWithFixedDelay(KEEP_ALIVE_TIMER, QueryActor.KeepAliveDue.INSTANCE,
          services.settings().queryPassivateAfterIdle().dividedBy(3));
    }
  }

  void onKeepAliveDue(QueryRun run) {
    if (run.finished()) {
      timers.cancel(KEEP_ALIVE_TIMER);
      return;
    }
    services.sharding().entityRefFor(QueryActor.TYPE_KEY, queryId).tell(QueryActor.KeepAlive.INSTANCE);
  }

  /**
   * The driver restarts after a journal failure and recovers what the journal holds: a call it sent before counts
   * as not sent, so that on resume the recovered driver sends the recorded pending call again (same attempt id).
   * Its answer may have come already and been lost with the write that failed, which nothing would send again;
   * a pool still running the attempt runs it once and answers the resend.
   */
  void forgetCallInFlight() {
    timers.cancel(CALL_TIMER);
    timers.cancel(ADMISSION_TIMER);
    unadmitted = null;
    callInFlight = -1;
    awaitingGrant = null;
    unwatchAdmittingPool();
  }

  boolean callSentThisIncarnation(QueryRun run) {
    return run.pending() != null && callInFlight == run.pending().attemptNo();
  }

  /** The event a pool's reply means, or null when it is stale (not the pending call). */
  QueryEvent onPoolReply(QueryRun run, ModelPool.CallResult result) {
    int attemptNo = attemptNo(result.attemptId());
    if (!run.running() || run.pending() == null || run.pending().attemptNo() != attemptNo) {
      return null;
    }
    timers.cancel(ADMISSION_TIMER);
    unadmitted = null;
    if (result instanceof ModelPool.CallAdmitted admitted) {
      watchAdmittingPool(admitted.pool(), attemptNo);
      return null;
    }
    if (result instanceof ModelPool.TokensArrived tokens) {
      TokensStreamed streamed = new TokensStreamed(queryId, attemptNo, run.pending().modelId(), tokens.seq(),
          tokens.text());
      tokenWatchers.forEach(w -> w.tell(streamed));
      tokensStreamed |= !tokenWatchers.isEmpty();
      return null;
    }
    timers.cancel(CALL_TIMER);
    unwatchAdmittingPool();
    if (result instanceof ModelPool.CallAnswered answered) {
      settle(run, attemptNo, answered.response().costUsd(),
          (long) answered.response().inputTokens() + answered.response().outputTokens());
      return new ModelAnswered(attemptNo, answered.response(), now());
    }
    ModelPool.CallFailed failed = (ModelPool.CallFailed) result;
    settle(run, attemptNo, 0, 0); // released: a failed or refused call is not billed
    return AttemptFailed.of(attemptNo, run.pending().modelId(), failed.kind(), failed.message(),
        failed.retryAfterMillis(), now());
  }

  /**
   * A call's pool lives on some node; if that node dies, the call's answer is lost with it, and without this
   * watch the query would learn it only at call-timeout (60 s by default). Sharding hides where the pool runs, so
   * the pool names itself in its admission.
   */
  private void watchAdmittingPool(ActorRef<ModelPool.Command> pool, int attemptNo) {
    if (pool.equals(admittingPool)) {
      return; // a repeated admission of the same call (a resend)
    }
    unwatchAdmittingPool();
    admittingPool = pool;
    ctx.watchWith(pool, new QueryActor.AdmittingPoolStopped(attemptNo));
  }

  private void unwatchAdmittingPool() {
    if (admittingPool != null) {
      ctx.unwatch(admittingPool);
      admittingPool = null;
    }
  }

  /**
   * What to do about call {@code attemptNo} whose pool stopped while it ran: send it again (its new pool starts on
   * a surviving node), as a resumed query does with {@code resume-in-flight = resend}, unless its tokens already
   * reached a watcher or the setting is {@code replan}; then the lost call is recorded as a failed attempt (kind
   * LOST). Null when the call is no longer the one in flight.
   */
  QueryEvent onAdmittingPoolStopped(QueryRun run, int attemptNo) {
    if (!run.running() || run.pending() == null || run.pending().attemptNo() != attemptNo
        || callInFlight != attemptNo) {
      return null;
    }
    admittingPool = null; // a stopped actor is unwatched already
    if (!tokensStreamed && services.settings().inFlightOnResume() == EngineSettings.InFlightOnResume.RESEND) {
      ctx.getLog().info("query {}: the pool running call {} stopped (its node left the cluster); sending the"
          + " call again", queryId, attemptNo);
      sendCall(run, false);
      return null;
    }
    timers.cancel(CALL_TIMER);
    settleAtEstimate(run, attemptNo);
    return AttemptFailed.of(attemptNo, run.pending().modelId(), FailureKind.LOST, "the pool running the call"
        + " stopped (its node left the cluster) before it answered", -1, now());
  }

  QueryEvent onCallTimeout(QueryRun run, int attemptNo) {
    if (!run.running() || run.pending() == null || run.pending().attemptNo() != attemptNo) {
      return null;
    }
    unwatchAdmittingPool();
    settleAtEstimate(run, attemptNo);
    return AttemptFailed.of(attemptNo, run.pending().modelId(), FailureKind.TIMEOUT,
        "no reply from the pool within " + services.settings().callTimeout(), -1, now());
  }

  static int attemptNo(String attemptId) {
    try {
      return Integer.parseInt(attemptId.substring(attemptId.lastIndexOf('/') + 1));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  void startDeadline(QueryRun run) {
    long remaining = remainingDeadlineMillis(run);
    if (remaining >= 0) {
      timers.startSingleTimer(DEADLINE_TIMER, QueryActor.DeadlineReached.INSTANCE, Duration.ofMillis(remaining));
    }
  }

  /**
   * What is left of the query's deadline (0 once passed), -1 when it has none. Never overflows, whatever the
   * budget says (a job or an engine caller may set any long): the deadline counts as at most
   * {@code switchyard.query.max-deadline}, which keeps the timer within what Pekko's scheduler takes.
   */
  long remainingDeadlineMillis(QueryRun run) {
    long deadline = run.query().budget().deadlineMillis();
    if (deadline <= 0) {
      return -1;
    }
    long bounded = Math.min(deadline, services.settings().queryMaxDeadline().toMillis());
    return Math.max(0, bounded - Math.max(0, now() - run.acceptedAtMillis()));
  }

  void scheduleRetry(long delayMillis) {
    timers.startSingleTimer(RETRY_TIMER, QueryActor.RetryDue.INSTANCE, Duration.ofMillis(delayMillis));
    keepAlive();
  }

  /**
   * Adds a submitter; a streaming one first gets the steps recorded so far, and one taking {@code tokens} gets
   * the tokens of calls sent from now on. One that joins while a call is in flight gets none: it would see only
   * the end of that call's answer, so it gets the answer whole with the result.
   */
  void join(QueryRun run, ActorRef<Reply> replyTo, boolean stream, boolean tokens) {
    if (stream) {
      replay(run, replyTo);
      watchers.add(replyTo);
      if (tokens && run.pending() == null) {
        tokenWatchers.add(replyTo);
      }
    } else {
      waiters.add(replyTo);
    }
  }

  void watch(QueryRun run, ActorRef<Reply> watcher) {
    replay(run, watcher);
    if (run.finished()) {
      watcher.tell(new Completed(run.result()));
    } else {
      watchers.add(watcher);
    }
  }

  private void replay(QueryRun run, ActorRef<Reply> to) {
    notifySteps(run); // existing watchers first, so the newcomer's replay and the live steps do not overlap
    for (int i = 0; i < run.steps().size(); i++) {
      to.tell(new StepMade(queryId, i, run.steps().get(i)));
    }
  }

  /** Sends the steps recorded since the last call to every watcher. */
  void notifySteps(QueryRun run) {
    for (int i = notifiedSteps; i < run.steps().size(); i++) {
      StepMade made = new StepMade(queryId, i, run.steps().get(i));
      watchers.forEach(w -> w.tell(made));
    }
    notifiedSteps = run.steps().size();
  }

  /** Replies to everyone waiting and hands the episode to the pipeline's learner. */
  void finished(QueryRun run) {
    notifySteps(run);
    timers.cancel(CALL_TIMER);
    timers.cancel(DEADLINE_TIMER);
    timers.cancel(RETRY_TIMER);
    timers.cancel(KEEP_ALIVE_TIMER);
    timers.cancel(ADMISSION_TIMER);
    unadmitted = null;
    callInFlight = -1;
    unwatchAdmittingPool();
    // learn first, so a caller's next query already decides with this episode on this node; metrics before the
    // reply too, so a caller that has its answer finds the query counted
    learn(run, run.result().episode(), false);
    services.metrics().queryFinished(run.result().episode());
    services.recentEpisodes().finished(run.result().episode());
    Completed completed = new Completed(run.result());
    waiters.forEach(w -> w.tell(completed));
    watchers.forEach(w -> w.tell(completed));
    waiters.clear();
    watchers.clear();
    tokenWatchers.clear();
  }

  /** Tells every submitter and watcher {@code refused} and forgets them (the driver is going away). */
  void refuseWaiters(QueryActor.Refused refused) {
    waiters.forEach(w -> w.tell(refused));
    watchers.forEach(w -> w.tell(refused));
    waiters.clear();
    watchers.clear();
    tokenWatchers.clear();
  }

  /** @param fromFeedback the episode is scored by a feedback, not as the query ended */
  void learn(QueryRun run, Episode episode, boolean fromFeedback) {
    ShadowRegistry.observe(services.shadowRegistry(), episode);
    ActorRef<Learner.Command> learner = services.learners().get(run.pipeline());
    if (learner != null) {
      services.policies().learnLocally(run.pipeline(), episode, now());
      learner.tell(new Learner.Learn(episode, fromFeedback, run.query().tenant()));
    }
  }

  /**
   * What a feedback for {@code run} does, the same for both drivers: a query takes one reward. The first is
   * recorded and learned; another is refused ({@code alreadyGiven}, naming the recorded reward) unless it asks to
   * replace, and a replacement is recorded (the query's current reward) but not learned again, because a
   * learner cannot take back an update: the query counts once, with its first reward.
   *
   * @return the refusal, or null when the feedback is to be recorded ({@link #feedbackAccepted} says whether it is
   *     learned)
   */
  static QueryActor.FeedbackOutcome feedbackRefusal(QueryRun run, dev.switchyard.protocol.Feedback feedback) {
    if (!feedback.from(run.query().tenant())) {
      // another tenant's query: answered as for no query at all (before anything that would tell it exists)
      return QueryActor.FeedbackOutcome.unknown("no query " + feedback.queryId());
    }
    if (!run.finished()) {
      return QueryActor.FeedbackOutcome.refused("query " + feedback.queryId() + " has not finished");
    }
    if (!run.rewards().isEmpty() && !feedback.replace()) {
      return new QueryActor.FeedbackOutcome(false, true, false, false, "query " + feedback.queryId()
          + " already has feedback: reward " + run.rewards().get(run.rewards().size() - 1)
          + "; send \"replace\": true to replace it (the learner does not learn the query again)");
    }
    return null;
  }

  /** Whether a feedback about to be recorded is the query's first (learned) or a replacement (not learned). */
  static boolean firstFeedback(QueryRun runBefore) {
    return runBefore.rewards().isEmpty();
  }

  /** The reply to a recorded feedback; {@code learned} when it was the first. */
  static QueryActor.FeedbackOutcome feedbackAccepted(QueryRun after, boolean learned) {
    List<Double> rewards = after.rewards();
    String message = learned ? "reward passed to the learner of " + after.pipeline()
        : "reward " + rewards.get(rewards.size() - 1) + " replaces " + rewards.get(rewards.size() - 2)
            + " on the query; the learner learned the query once and does not learn it again";
    return new QueryActor.FeedbackOutcome(true, false, learned, false, message);
  }

  /** Asks the open-queries registry to register the query; the answer (or its absence) is a RegistrationDone. */
  void register() {
    OpenQueries.register(ctx, services, queryId, false, QueryActor.RegistrationDone::new);
  }

  void selfAdvance() {
    ctx.getSelf().tell(QueryActor.Advance.INSTANCE);
  }

  QueryActor.Status status(QueryRun run, boolean durable) {
    return new QueryActor.Status(queryId, run.accepted(), durable, run.finished(), run.steps(),
        run.attempts().size(), run.pending() == null ? null : QueryRun.attemptId(queryId, run.pending().attemptNo()),
        run.result());
  }
}
