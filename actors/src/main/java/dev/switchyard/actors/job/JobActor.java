package dev.switchyard.actors.job;

import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.job.JobEvent.CancelRequested;
import dev.switchyard.actors.job.JobEvent.JobAccepted;
import dev.switchyard.actors.job.JobEvent.JobEnded;
import dev.switchyard.actors.job.JobEvent.StepFinished;
import dev.switchyard.actors.job.JobEvent.StepStarted;
import dev.switchyard.actors.journal.JournalFailures;
import dev.switchyard.actors.journal.JournalHealth;
import dev.switchyard.actors.query.OpenQueries;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.QueryResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A long-running job (sharded entity {@code job}, entity id = job id; event sourced as {@code job|<id>}): a
 * sequence of steps run in order, each a <em>durable query</em> with id {@code <jobId>/step-<n>}.
 *
 * <p>Why a job entity over durable queries rather than a second runner: the durable query already journals every
 * route before its call and every answer before the next decision, so a step resumes after a crash without
 * repeating or re-billing a finished call, and is idempotent by id. The job adds only what spans steps, with
 * few events: acceptance, each step's start (with the part of the job's budget that remains) and its result, a
 * cancel request, and the end. Putting all steps inside one durable query instead would have meant changing the
 * planner loop's meaning of "query" (one question, one answer, one episode for the learner); here each step
 * stays a normal episode its pipeline's learner learns from.
 *
 * <p>Budget: before each step the job checks what is left of its cost, model-call and deadline budget; if a
 * dimension is spent the job ends {@code FAILED} with code {@code budget_exhausted} and keeps the best answer so
 * far; otherwise the step's query gets exactly what is left, so the query's own enforcement (no call once the
 * cost is spent, at most the remaining calls, a forced answer at the deadline) applies within the step.
 *
 * <p>Cancel: journaled, then passed to the running step's query ({@link QueryActor.Cancel}), which records a
 * call in flight but makes no further one; no later step starts; the job ends {@code CANCELLED}. Cancelling an
 * ended job changes nothing.
 *
 * <p>Restarts: a job registers with the {@link OpenQueries} registry before journaling its acceptance and leaves
 * it when it ends; the registry pokes unfinished jobs with {@link Resume} at start and on its interval, and a
 * recovered running job re-joins its running step's query (a repeated submit of a durable query joins it).
 */
public final class JobActor extends EventSourcedBehavior<JobActor.Command, JobEvent, JobState> {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "job");
  private static final String RETRY_TIMER = "step-retry";

  public interface Command extends CrossNode {}

  /** Accept (or, for an existing id, look up) a job; {@code replyTo} hears {@link SubmitReply} once journaled. */
  public record Submit(JobSpec spec, ActorRef<SubmitReply> replyTo) implements Command {}

  public record Get(ActorRef<JobView> replyTo) implements Command {}

  /** Cancel; {@code replyTo} hears the job as it is once the cancel is journaled (or at once if it had ended). */
  public record Cancel(ActorRef<JobView> replyTo) implements Command {}

  /** Stream every event numbered above {@code afterSeq}, then live ones, ending with the terminal event. */
  public record Watch(long afterSeq, ActorRef<JobUpdate> replyTo) implements Command {}

  /** From the registry (and after recovery): continue an unfinished job. Idempotent. */
  public enum Resume implements Command { INSTANCE }

  record StepReply(QueryActor.Reply reply) implements Command {}

  record RegistrationDone(boolean registered) implements Command {}

  enum Advance implements Command { INSTANCE }

  public sealed interface SubmitReply extends CrossNode {}

  /** @param created false when the id already held this same job (an idempotent repeat) */
  public record Accepted(JobView job, boolean created) implements SubmitReply {}

  /** The id already holds a job with a different request. */
  public record Conflict(String message) implements SubmitReply {}

  /** @param journalFailure the job's acceptance could not be journaled (else: the registry did not answer) */
  public record Refused(String message, long retryAfterMillis, boolean journalFailure) implements SubmitReply {
    public Refused(String message, long retryAfterMillis) {
      this(message, retryAfterMillis, false);
    }
  }

  private final String jobId;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final NodeServices services;
  private final JobSettings settings;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ActorRef<QueryActor.Reply> stepReplies;
  private final List<Submit> pendingSubmits = new ArrayList<>();
  /** Submits whose acceptance is being written: told once it is (or refused if the write fails). */
  private final List<Submit> acceptingSubmits = new ArrayList<>();
  private final JournalFailures journal;
  private final JobWatchers watchers;

  public static PersistenceId persistenceId(String jobId) {
    return PersistenceId.of("job", jobId, "|");
  }

  /** Starts this node's part of the {@code job} sharding; an idle job is passivated like a query. */
  public static void initSharding(ActorSystem<?> system, NodeServices services, JobSettings settings) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId(), ctx.getShard(), services,
        settings)).withSettings(QueryActor.idlePassivation(system, services.settings().queryPassivateAfterIdle())));
  }

  /** @param shard the entity's shard, asked to passivate an entity created for an id that holds no job */
  public static Behavior<Command> create(String jobId, ActorRef<ClusterSharding.ShardCommand> shard,
      NodeServices services, JobSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new JobActor(jobId, shard, services, settings,
        ctx, timers)));
  }

  private JobActor(String jobId, ActorRef<ClusterSharding.ShardCommand> shard, NodeServices services,
      JobSettings settings, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(persistenceId(jobId),
        services.settings().restartBackoff().strategy());
    this.jobId = jobId;
    this.shard = shard;
    this.services = services;
    this.settings = settings;
    this.ctx = ctx;
    this.timers = timers;
    this.stepReplies = ctx.messageAdapter(QueryActor.Reply.class, StepReply::new);
    this.journal = new JournalFailures(JournalHealth.get(ctx.getSystem()), TYPE_KEY, jobId);
    this.watchers = new JobWatchers(jobId);
  }

  @Override
  public JobState emptyState() {
    return JobState.none();
  }

  @Override
  public EventHandler<JobState, JobEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(JobState::apply);
  }

  @Override
  public SignalHandler<JobState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.running()) {
            ctx.getSelf().tell(Resume.INSTANCE);
          }
        })
        .onSignal(RecoveryFailed.class, (state, failed) -> journal.recoveryFailed(failed))
        .onSignal(PreRestart.class, (state, restart) -> onJournalFailure())
        .build();
  }

  /**
   * After a failed write (not a failed recovery: its callers are refused through {@link JournalHealth}), the
   * submits that were waiting for this job's acceptance are refused: it is not journaled, so not accepted.
   */
  private void onJournalFailure() {
    if (!journal.restarting()) {
      return;
    }
    Refused refused = new Refused("job " + jobId + " could not be journaled and was not accepted; submit it again"
        + " with the same Idempotency-Key", journal.retryAfterMillis(), true);
    pendingSubmits.forEach(s -> s.replyTo().tell(refused));
    acceptingSubmits.forEach(s -> s.replyTo().tell(refused));
    pendingSubmits.clear();
    acceptingSubmits.clear();
  }

  @Override
  public CommandHandler<Command, JobEvent, JobState> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Submit.class, this::onSubmit)
        .onCommand(RegistrationDone.class, this::onRegistrationDone)
        .onCommand(Get.class, this::onGet)
        .onCommand(Cancel.class, this::onCancel)
        .onCommand(Watch.class, this::onWatch)
        .onCommand(Resume.class, (state, r) -> onResume(state))
        .onCommand(Advance.class, (state, a) -> advance(state))
        .onCommand(StepReply.class, this::onStepReply)
        .build();
  }

  // ------------------------------------------------------------------ acceptance

  private Effect<JobEvent, JobState> onSubmit(JobState state, Submit submit) {
    if (state.accepted()) {
      submit.replyTo().tell(answer(state, submit, false));
      return Effect().none();
    }
    pendingSubmits.add(submit);
    if (pendingSubmits.size() == 1) {
      // Registered first, so that every accepted job is known to the registry that resumes it after a restart.
      OpenQueries.register(ctx, services, jobId, true, RegistrationDone::new);
    }
    return Effect().none();
  }

  private SubmitReply answer(JobState state, Submit submit, boolean created) {
    if (!state.spec().equals(submit.spec())) {
      return new Conflict("job " + jobId + " already exists with a different request (pipeline, messages, steps,"
          + " task or budget differ); an idempotency key may be reused only with the same request");
    }
    return new Accepted(view(state), created);
  }

  private Effect<JobEvent, JobState> onRegistrationDone(JobState state, RegistrationDone done) {
    List<Submit> submits = new ArrayList<>(pendingSubmits);
    pendingSubmits.clear();
    if (submits.isEmpty() || state.accepted()) {
      return Effect().none();
    }
    if (!done.registered()) {
      Refused refused = new Refused("the open-queries registry did not answer; job " + jobId + " was not accepted",
          services.settings().registryRetryAfter().toMillis());
      submits.forEach(s -> s.replyTo().tell(refused));
      return passivate();
    }
    acceptingSubmits.addAll(submits);
    return Effect().persist(new JobAccepted(submits.get(0).spec(), now())).thenRun(after -> {
      acceptingSubmits.clear();
      for (int i = 0; i < submits.size(); i++) {
        submits.get(i).replyTo().tell(answer(after, submits.get(i), i == 0));
      }
      watchers.publish(after);
      ctx.getSelf().tell(Advance.INSTANCE);
    });
  }

  // ------------------------------------------------------------------ running

  private Effect<JobEvent, JobState> onResume(JobState state) {
    if (!state.accepted()) {
      if (pendingSubmits.isEmpty()) {
        services.openQueries().tell(new OpenQueries.JobClosed(jobId)); // registered, never accepted
        return passivate();
      }
      return Effect().none();
    }
    if (!state.running()) {
      services.openQueries().tell(new OpenQueries.JobClosed(jobId));
      return Effect().none();
    }
    Optional<JobState.Step> step = state.runningStep();
    if (step.isPresent()) {
      submitStep(state, step.get()); // joins the step's query: it replays its steps, then streams live ones
      return Effect().none();
    }
    return advance(state);
  }

  private Effect<JobEvent, JobState> advance(JobState state) {
    if (!state.running() || state.runningStep().isPresent()) {
      return Effect().none();
    }
    long now = now();
    Optional<JobEnded> end = endReason(state, now);
    if (end.isPresent()) {
      return end(end.get());
    }
    int index = state.steps().size();
    StepStarted started = new StepStarted(index, JobSpec.stepQueryId(jobId, index), state.remainingBudget(now),
        now);
    return Effect().persist(started).thenRun(after -> {
      watchers.stepStarted(started.queryId());
      watchers.publish(after);
      submitStep(after, after.runningStep().orElseThrow());
    });
  }

  /** Why the job ends now that no step runs, if it does. */
  private Optional<JobEnded> endReason(JobState state, long now) {
    if (state.cancelRequested()) {
      return Optional.of(new JobEnded(JobStatus.CANCELLED, "cancelled", "cancelled by the client", now));
    }
    Optional<String> exhausted = state.budgetExhausted(now);
    if (!state.steps().isEmpty()) {
      JobState.Step last = state.steps().get(state.steps().size() - 1);
      var tenantRefusal = dev.switchyard.actors.tenant.TenantRefusals.of(last.result());
      if (tenantRefusal.isPresent()) {
        // the tenant's budget or token rate refused the step's call: the job fails saying so
        boolean budget = tenantRefusal.get().reason() == dev.switchyard.actors.EngineRejection.Reason.BUDGET_EXHAUSTED;
        return Optional.of(new JobEnded(JobStatus.FAILED, budget ? "tenant_budget_exhausted" : "tenant_rate_limited",
            "step " + last.index() + " was refused by the tenant's " + tenantRefusal.get().param() + ": "
                + tenantRefusal.get().getMessage(), now));
      }
      if (last.result().abstained()) {
        return Optional.of(exhausted.isPresent()
            ? new JobEnded(JobStatus.FAILED, "budget_exhausted", exhausted.get() + " during step " + last.index(), now)
            : new JobEnded(JobStatus.FAILED, "step_abstained", "step " + last.index() + " gave no answer: "
                + last.result().abstainReason(), now));
      }
      if (state.steps().size() == state.spec().steps().size()) {
        return Optional.of(new JobEnded(JobStatus.SUCCEEDED, null, null, now));
      }
    }
    return exhausted.map(why -> new JobEnded(JobStatus.FAILED, "budget_exhausted", why + " before step "
        + state.steps().size() + " of " + state.spec().steps().size(), now));
  }

  private void submitStep(JobState state, JobState.Step step) {
    watchers.following(step.queryId());
    var query = services.sharding().entityRefFor(QueryActor.TYPE_KEY, step.queryId());
    query.tell(new QueryActor.Submit(state.spec().stepQuery(step.index(), step.budget()), state.spec().pipeline(),
        Durability.DURABLE, true, stepReplies));
    if (state.cancelRequested()) {
      query.tell(new QueryActor.Cancel("job " + jobId + " cancelled"));
    }
  }

  private Effect<JobEvent, JobState> onStepReply(JobState state, StepReply reply) {
    Optional<JobState.Step> running = state.runningStep();
    if (running.isEmpty()) {
      return Effect().none(); // a late or repeated reply for a step already recorded
    }
    JobState.Step step = running.get();
    if (reply.reply() instanceof QueryActor.StepMade made) {
      if (made.queryId().equals(step.queryId())) {
        watchers.stepMade(state, made.seq(), made.step());
      }
      return Effect().none();
    }
    if (reply.reply() instanceof QueryActor.Completed completed) {
      QueryResult result = completed.result();
      if (!result.queryId().equals(step.queryId())) {
        return Effect().none();
      }
      return Effect().persist(new StepFinished(step.index(), result, now())).thenRun(after -> {
        watchers.stepFinished(after);
        ctx.getSelf().tell(Advance.INSTANCE);
      });
    }
    QueryActor.Refused refused = (QueryActor.Refused) reply.reply();
    ctx.getLog().warn("job {}: step {} was refused ({}: {}); retrying in {}", jobId, step.index(), refused.reason(),
        refused.message(), settings.stepRetry());
    timers.startSingleTimer(RETRY_TIMER, Resume.INSTANCE, settings.stepRetry());
    return Effect().none();
  }

  private Effect<JobEvent, JobState> end(JobEnded ended) {
    return Effect().persist(ended).thenRun(after -> {
      timers.cancel(RETRY_TIMER);
      watchers.ended(after);
      services.openQueries().tell(new OpenQueries.JobClosed(jobId));
    });
  }

  // ------------------------------------------------------------------ reading and cancelling

  private Effect<JobEvent, JobState> onGet(JobState state, Get get) {
    if (!state.accepted() && pendingSubmits.isEmpty()) {
      get.replyTo().tell(JobView.unknown(jobId));
      return passivate();
    }
    get.replyTo().tell(state.accepted() ? view(state) : JobView.unknown(jobId));
    return Effect().none();
  }

  private Effect<JobEvent, JobState> onCancel(JobState state, Cancel cancel) {
    if (!state.accepted()) {
      cancel.replyTo().tell(JobView.unknown(jobId));
      return pendingSubmits.isEmpty() ? passivate() : Effect().none();
    }
    if (!state.running() || state.cancelRequested()) {
      cancel.replyTo().tell(view(state));
      return Effect().none();
    }
    return Effect().persist(new CancelRequested(now())).thenRun(after -> {
      Optional<JobState.Step> step = after.runningStep();
      if (step.isPresent()) {
        services.sharding().entityRefFor(QueryActor.TYPE_KEY, step.get().queryId())
            .tell(new QueryActor.Cancel("job " + jobId + " cancelled"));
        cancel.replyTo().tell(view(after));
      } else {
        ctx.getSelf().tell(Advance.INSTANCE); // between steps (or queued): ends now
        cancel.replyTo().tell(view(after));
      }
    });
  }

  private Effect<JobEvent, JobState> onWatch(JobState state, Watch watch) {
    if (!state.accepted()) {
      watch.replyTo().tell(JobUpdate.notFound(jobId));
      return pendingSubmits.isEmpty() ? passivate() : Effect().none();
    }
    watchers.watch(state, watch.afterSeq(), watch.replyTo());
    return Effect().none();
  }

  /**
   * Stops an entity created for an id that holds no job, through its shard, which buffers messages that arrive
   * meanwhile (a plain stop would send them to dead letters).
   */
  private Effect<JobEvent, JobState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    return Effect().none();
  }

  private JobView view(JobState state) {
    return watchers.view(state);
  }

  private long now() {
    return services.clock().millis();
  }
}
