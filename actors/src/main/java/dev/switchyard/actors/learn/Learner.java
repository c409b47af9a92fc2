package dev.switchyard.actors.learn;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.Journaled;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.learn.OnlineLearner;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The learner of one learned pipeline, run as a cluster singleton. It learns from finished episodes (and from
 * episodes re-sent with user feedback as their score), keeps its OnlineLearner's parameters in the journal
 * (each learned episode is an event; the state, a {@link PolicySnapshot}, is snapshotted every
 * {@code snapshot-every} events), so a hand-over or restart rebuilds exactly the same learner, and publishes
 * versioned snapshots to every node's {@link PolicyBoard}. The version counts learning steps: it grows by one
 * with every episode that changed the parameters.
 *
 * <p>Throughput: one journal write per episode would cap learning at the journal's write rate (an embedded H2
 * file manages about a hundred a second), so under load the learner fell ever further behind the queries and
 * nodes decided with a policy hundreds of episodes old. Instead episodes that arrive while a write is in flight
 * are buffered and written together, as one atomic write of their {@link EpisodeLearned} events, in the next
 * turn: the learner keeps up with any query rate and the journal holds the same events as before. An episode is
 * buffered in memory for at most one write; a crash in that window loses it (episodes are delivered at most
 * once anyway). Publication cadence: after {@code switchyard.learner.publish-every} learned episodes or
 * {@code publish-interval} after the first unpublished one, whichever comes first ({@link Publications}). Episodes
 * no feedback came for are learned from the pipeline's reward signal ({@link SignalCalls}).
 *
 * <p>Promotion: under {@code auto} the newest version acts at once. Under {@code manual} the newest version is a
 * candidate that decides only in shadow (its choices are recorded in episodes) until {@link Promote}.
 *
 * <p>Starting from an artifact ({@code policy = FILE} of a learned pipeline, {@link PipelineDefinition#start}): a
 * learner whose journal is empty journals {@link PolicyAdopted} with the artifact's state as its first event and
 * learns on from it. A journal that already holds events wins: it is replayed as it is (from the state it started
 * from, or adopted last), and the configured artifact is not loaded, which the node logs as a warning naming both.
 * {@link Adopt} (the admin API's promotion of an installed artifact) journals the same event: the adopted state
 * acts at once, as the next version, and survives a restart.
 */
public final class Learner extends EventSourcedBehavior<Learner.Command, Learner.Event, Learner.State> {
  public interface Command extends CrossNode {}

  /**
   * Learn from an episode (ignored unless it carries a score): a finished query's, scored at its end or not, or,
   * {@code fromFeedback}, one a feedback scored through its query entity.
   */
  /** @param tenant the tenant that asked the query, null without API keys: only it may rate the query late */
  public record Learn(Episode episode, boolean fromFeedback, String tenant) implements Command {
    public Learn(Episode episode, boolean fromFeedback) {
      this(episode, fromFeedback, null);
    }

    public Learn(Episode episode) {
      this(episode, false);
    }
  }

  /**
   * A feedback for a query whose entity no longer knows it: learned if the query is in this pipeline's
   * {@link FeedbackWindow}; the reply says whether it was.
   */
  public record LateFeedback(Feedback feedback, ActorRef<QueryActor.FeedbackOutcome> replyTo) implements Command {}

  /** Make the newest version the acting one; replies with the acting version. */
  public record Promote(ActorRef<Promoted> replyTo) implements Command {}

  public record Promoted(String pipeline, long version) implements CrossNode {}

  /**
   * Make {@code snapshot} (a policy artifact's state, as a snapshot of this pipeline's learner) the acting and
   * newest parameters, journaled; replies with the new acting version.
   */
  public record Adopt(PolicySnapshot snapshot, String source, ActorRef<Promoted> replyTo) implements Command {}

  /** To itself: journal the configured start (an artifact's state) into an empty journal. */
  public enum StartDue implements Command { INSTANCE }

  /** Reply with what the learner would publish now. */
  public record GetPolicy(ActorRef<PolicyPublished> replyTo) implements Command {}

  /** To itself: write the buffered episodes (sent after the first one buffered, so it follows a burst). */
  public enum WriteDue implements Command { INSTANCE }

  /** To itself: learn the episodes no feedback came for from the pipeline's {@link RewardSignal}. */
  public enum SignalDue implements Command { INSTANCE }

  /** The reward model's pool about a signal call (through a message adapter). */
  record SignalReply(ModelPool.CallResult result) implements Command {}

  /** To itself: the signal call {@code attemptId} got no answer within {@code switchyard.query.call-timeout}. */
  record SignalTimedOut(String attemptId) implements Command {}

  /** To itself: publish the learned but unpublished episodes ({@code publish-interval} elapsed). */
  public enum PublishDue implements Command { INSTANCE }

  /** The replicator about a publication's write to the policy register (through a message adapter). */
  record PublicationReplicated(Replicator.UpdateResponse<LWWRegister<PolicyPublished>> response)
      implements Command {}

  private static final String PUBLISH_TIMER = "publish";
  /** How often, at most, a learner taking a signal as the reward looks for episodes no feedback came for. */
  private static final Duration SIGNAL_CHECK = Duration.ofSeconds(1);

  public interface Event extends Journaled {}

  public record EpisodeLearned(Episode episode, long atMillis) implements Event {}

  public record CandidatePromoted(long version, long atMillis) implements Event {}

  /** The learner's parameters became {@code snapshot} (an artifact's state), as the next version, acting. */
  public record PolicyAdopted(PolicySnapshot snapshot, String source, long atMillis) implements Event {}

  /**
   * @param latest the newest parameters; {@code promoted} the acting ones (the same object under auto promotion)
   * @param source the artifact the parameters were last adopted from (null: built as configured, cold or from
   *     train-data)
   */
  public record State(long version, PolicySnapshot latest, PolicySnapshot promoted, String source)
      implements Journaled {
    public State {
      Objects.requireNonNull(latest, "latest");
      Objects.requireNonNull(promoted, "promoted");
    }

    public State(long version, PolicySnapshot latest, PolicySnapshot promoted) {
      this(version, latest, promoted, null);
    }
  }

  private final PipelineDefinition pipeline;
  private final boolean manual;
  private final EngineSettings settings;
  private final Clock clock;
  private final ReplicatorMessageAdapter<Command, LWWRegister<PolicyPublished>> replicator;
  private final SelfUniqueAddress self;
  private final ActorRef<ShadowRegistry.Command> shadows;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  /** Scored episodes received but not yet written to the journal. */
  private final List<Episode> buffered = new ArrayList<>();
  private boolean writeScheduled;
  private final FeedbackWindow window;
  private final SignalCalls signalCalls;
  private final ClusterSharding sharding;
  private final ActorRef<ModelPool.CallResult> signalReplies;
  private final Publications publications;
  /** The live learner; kept in step with the state by {@link #sync}. */
  private OnlineLearner learner;
  /** The snapshot the live learner is at (by identity): when the state's differs, {@link #sync} restores it. */
  private PolicySnapshot learnerAt;

  public static String singletonName(String pipeline) {
    return "learner-" + URLEncoder.encode(pipeline, StandardCharsets.UTF_8);
  }

  public static PersistenceId persistenceId(String pipeline) {
    return PersistenceId.of("learner", pipeline, "|");
  }

  /**
   * @param sharding where the reward model's pool is reached ({@code reward = agreement} or {@code judge})
   * @param metrics counts the reward signals, and the signal calls with the reward model's calls
   */
  public static Behavior<Command> create(PipelineDefinition pipeline, EngineSettings settings, Clock clock,
      ClusterSharding sharding, EngineMetrics metrics) {
    return create(pipeline, settings, clock, sharding, metrics, null);
  }

  /** @param shadows the shadow registry, told of episodes scored here (late feedback, the configured signal) */
  public static Behavior<Command> create(PipelineDefinition pipeline, EngineSettings settings, Clock clock,
      ClusterSharding sharding, EngineMetrics metrics, ActorRef<ShadowRegistry.Command> shadows) {
    if (!pipeline.isLearned()) {
      throw new IllegalArgumentException("pipeline " + pipeline.name() + " has no learner");
    }
    // A failure outside persistence (e.g. the journal plugin missing at start) would otherwise stop the
    // singleton for the life of the node, and every later episode would be dropped unseen.
    return Behaviors.supervise(Behaviors.<Command>setup(ctx -> Behaviors.<Command>withTimers(
            timers -> DistributedData.<Command, LWWRegister<PolicyPublished>>withReplicatorMessageAdapter(
                replicator -> new Learner(ctx, timers, pipeline, settings, clock, replicator, sharding, metrics,
                    shadows)))))
        .onFailure(settings.restartBackoff().strategy());
  }

  private Learner(ActorContext<Command> ctx, TimerScheduler<Command> timers, PipelineDefinition pipeline,
      EngineSettings settings, Clock clock,
      ReplicatorMessageAdapter<Command, LWWRegister<PolicyPublished>> replicator, ClusterSharding sharding,
      EngineMetrics metrics, ActorRef<ShadowRegistry.Command> shadows) {
    super(persistenceId(pipeline.name()), settings.restartBackoff().strategy());
    this.ctx = ctx;
    this.timers = timers;
    this.pipeline = pipeline;
    this.manual = settings.manualPromotion(pipeline.name());
    this.settings = settings;
    this.clock = clock;
    this.replicator = replicator;
    this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
    this.shadows = shadows;
    this.learner = pipeline.learner().get();
    this.publications = new Publications(pipeline.name(), settings.learnerPublishEvery(),
        2 * ctx.getSystem().settings().config()
            .getDuration("pekko.cluster.distributed-data.notify-subscribers-interval").toMillis());
    this.window = new FeedbackWindow(settings.feedbackWindow(), settings.feedbackWindowMaxEpisodes());
    this.sharding = sharding;
    this.signalReplies = ctx.messageAdapter(ModelPool.CallResult.class, SignalReply::new);
    this.signalCalls = new SignalCalls(pipeline.name(), pipeline.reward(), window,
        new RewardSignals(pipeline.reward(), settings.rewardSignal()), metrics, ctx.getLog(), settings.signalAfter(),
        settings.callTimeout(), this::callRewardModel, timers::cancel, this::learnScored);
    if (pipeline.reward().fromSignal() && window.enabled()) {
      Duration every = settings.signalAfter().dividedBy(4);
      timers.startTimerWithFixedDelay(SignalDue.INSTANCE,
          every.compareTo(SIGNAL_CHECK) < 0 ? every : SIGNAL_CHECK);
    }
  }

  @Override
  public State emptyState() {
    PolicySnapshot initial = pipeline.learner().get().snapshot(0, 0);
    return new State(0, initial, initial);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.learnerSnapshotEvery(), 2);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Learn.class, this::onLearn)
        .onCommand(LateFeedback.class, this::onLateFeedback)
        .onCommand(SignalDue.class, (state, due) -> onSignalDue())
        .onCommand(SignalReply.class, (state, reply) -> onSignalReply(reply))
        .onCommand(SignalTimedOut.class, (state, timedOut) -> onSignalTimedOut(timedOut))
        .onCommand(WriteDue.class, (state, due) -> onWriteDue())
        .onCommand(PublishDue.class, (state, due) -> {
          if (publications.pending()) {
            publish(state);
          }
          return Effect().none();
        })
        .onCommand(Promote.class, this::onPromote)
        .onCommand(Adopt.class, (state, adopt) -> adopt(adopt.snapshot(), adopt.source(), adopt.replyTo()))
        .onCommand(StartDue.class, (state, due) -> adopt(pipeline.start().snapshot(), pipeline.start().source(),
            null))
        .onCommand(PublicationReplicated.class, (state, replicated) -> {
          if (!(replicated.response() instanceof Replicator.UpdateSuccess)) {
            // on this node at least (a timeout: some node did not confirm; gossip brings it there)
            ctx.getLog().debug("pipeline {}: policy register write: {}", pipeline.name(), replicated.response());
          }
          return Effect().none();
        })
        .onCommand(GetPolicy.class, (state, get) -> {
          get.replyTo().tell(publications.of(state, clock.millis()));
          return Effect().none();
        })
        .build();
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onLearn(State state, Learn learn) {
    window.ownedBy(learn.episode().queryId(), learn.tenant());
    if (learn.episode().score() == null) {
      window.finished(learn.episode(), clock.millis()); // a late feedback may still score it
      return Effect().none();
    }
    if (!learn.fromFeedback()) {
      // scored at its end (a verifier, the answer's own signal): a user's feedback is still learned once, as it
      // is while the query's entity lives (QuerySession.feedbackRefusal counts only feedbacks)
      window.noSignal(learn.episode(), clock.millis());
      buffer(learn.episode());
    } else if (window.learned(learn.episode(), clock.millis())) {
      buffer(learn.episode());
    }
    return Effect().none();
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onLateFeedback(State state,
      LateFeedback late) {
    Feedback f = late.feedback();
    FeedbackWindow.Outcome outcome = window.feedback(f.queryId(), f.reward(), f.replace(), f.tenant(),
        clock.millis());
    QueryActor.FeedbackOutcome reply;
    if (outcome instanceof FeedbackWindow.Learn learn) {
      learnScored(learn.scored());
      reply = new QueryActor.FeedbackOutcome(true, false, true, false, "reward passed to the learner of "
          + pipeline.name() + " (the query had ended; it was in the pipeline's feedback window)");
    } else if (outcome instanceof FeedbackWindow.AlreadyRewarded already) {
      reply = already.replaced()
          ? new QueryActor.FeedbackOutcome(true, false, false, false, "reward " + f.reward() + " replaces "
              + already.reward() + " on the query; the learner learned the query once and does not learn it again")
          : new QueryActor.FeedbackOutcome(false, true, false, false, "query " + f.queryId() + " already has the"
              + " reward " + already.reward() + "; send \"replace\": true to replace it (it is not learned again)");
    } else {
      reply = new QueryActor.FeedbackOutcome(false, false, false, true, "no query " + f.queryId()
          + " in the feedback window of " + pipeline.name());
    }
    late.replyTo().tell(reply);
    return Effect().none();
  }

  /** Episodes no feedback came for within {@code signal-after}: see {@link SignalCalls}. */
  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onSignalDue() {
    signalCalls.due(clock.millis());
    return Effect().none();
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onSignalReply(SignalReply reply) {
    signalCalls.reply(reply.result(), clock.millis());
    return Effect().none();
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onSignalTimedOut(SignalTimedOut timedOut) {
    signalCalls.timedOut(timedOut.attemptId(), clock.millis());
    return Effect().none();
  }

  /** Asks the reward model's pool for a signal; no answer within {@code call-timeout} is {@link SignalTimedOut}. */
  private void callRewardModel(BackendRequest request) {
    timers.startSingleTimer(request.attemptId(), new SignalTimedOut(request.attemptId()), settings.callTimeout());
    sharding.entityRefFor(ModelPool.TYPE_KEY, request.modelId()).tell(new ModelPool.Call(request, signalReplies));
  }

  /**
   * An episode scored here after its query ended (a late feedback, the pipeline's reward signal): the shadow
   * registry scores the shadow's decision with it, and it is learned.
   */
  private void learnScored(Episode scored) {
    ShadowRegistry.observe(shadows, scored);
    buffer(scored);
  }

  /** Learns {@code scored} with the next journal write. */
  private void buffer(Episode scored) {
    buffered.add(scored);
    if (!writeScheduled) {
      writeScheduled = true;
      ctx.getSelf().tell(WriteDue.INSTANCE);
    }
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onWriteDue() {
    writeScheduled = false;
    if (buffered.isEmpty()) {
      return Effect().none();
    }
    long now = clock.millis();
    List<Event> events = new ArrayList<>(buffered.size());
    buffered.forEach(e -> events.add(new EpisodeLearned(e, now)));
    List<String> ids = buffered.stream().map(Episode::queryId).toList();
    buffered.clear();
    return Effect().persist(events).thenRun(next -> {
      if (publications.written(ids)) {
        publish(next);
      } else if (!timers.isTimerActive(PUBLISH_TIMER)) {
        timers.startSingleTimer(PUBLISH_TIMER, PublishDue.INSTANCE, settings.learnerPublishInterval());
      }
    });
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onPromote(State state, Promote promote) {
    if (state.promoted().version() == state.latest().version()) {
      promote.replyTo().tell(new Promoted(pipeline.name(), state.promoted().version()));
      return Effect().none();
    }
    return Effect().persist(new CandidatePromoted(state.latest().version(), clock.millis())).thenRun(next -> {
      publish(next);
      promote.replyTo().tell(new Promoted(pipeline.name(), next.promoted().version()));
    });
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> adopt(PolicySnapshot snapshot,
      String source, ActorRef<Promoted> replyTo) {
    return Effect().persist(new PolicyAdopted(snapshot, source, clock.millis())).thenRun(next -> {
      ctx.getLog().info("learner of {} adopted {} as v{} ({} episodes learned before)", pipeline.name(), source,
          next.version(), snapshot.episodes());
      publish(next);
      if (replyTo != null) {
        replyTo.tell(new Promoted(pipeline.name(), next.version()));
      }
    });
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(EpisodeLearned.class, this::applyLearned)
        .onEvent(CandidatePromoted.class, (state, e) -> new State(state.version(), state.latest(), state.latest(),
            state.source()))
        .onEvent(PolicyAdopted.class, (state, e) -> {
          PolicySnapshot s = e.snapshot();
          PolicySnapshot adopted = new PolicySnapshot(s.policy(), state.version() + 1, s.episodes(), s.parameters(),
              e.atMillis());
          return new State(adopted.version(), adopted, adopted, e.source());
        })
        .build();
  }

  private State applyLearned(State state, EpisodeLearned event) {
    sync(state);
    long before = learner.episodesLearned();
    learner.learn(event.episode());
    if (learner.episodesLearned() == before) {
      return state;
    }
    long version = state.version() + 1;
    PolicySnapshot latest = learner.snapshot(version, event.atMillis());
    learnerAt = latest;
    return new State(version, latest, manual ? state.promoted() : latest, state.source());
  }

  /** Brings the live learner to the state's parameters (after recovery from a snapshot, a restart, an adoption). */
  private void sync(State state) {
    if (learnerAt == state.latest()) {
      return;
    }
    learner = pipeline.learner().get();
    if (state.version() > 0) {
      learner.restore(state.latest());
    }
    learnerAt = state.latest();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          sync(state);
          PipelineDefinition.Start start = pipeline.start();
          if (start != null && lastSequenceNumber(ctx) == 0) {
            ctx.getSelf().tell(StartDue.INSTANCE); // journaled before any episode: they are buffered after it
            return;
          }
          if (start != null && !start.source().equals(state.source())) {
            ctx.getLog().warn("pipeline {}: its learner's journal already holds {} events (state v{}, {}); they win:"
                + " the configured policy {} is NOT loaded. To start from it, move this pipeline's journal"
                + " (persistence id {}) aside", pipeline.name(), lastSequenceNumber(ctx), state.version(),
                state.source() == null ? "built as configured before" : "adopted from " + state.source(),
                start.source(), persistenceId(pipeline.name()).id());
          } else if (start == null && state.source() != null) {
            ctx.getLog().warn("pipeline {}: its learner serves v{} adopted from {} (journaled), not the state the"
                + " configuration builds", pipeline.name(), state.version(), state.source());
          }
          publish(state);
        })
        .build();
  }

  private void publish(State state) {
    timers.cancel(PUBLISH_TIMER);
    PolicyPublished publication = publications.take(state, clock.millis());
    replicator.askUpdate(replyTo -> new Replicator.Update<>(PolicyRegister.key(pipeline.name()),
            PolicyRegister.of(self, publication), new Replicator.WriteAll(settings.learnerReplicationTimeout()),
            replyTo, register -> PolicyRegister.updated(register, self, publication)),
        PublicationReplicated::new);
    // this node's board now, not at the next notify tick (other nodes' replicators notify at theirs)
    DistributedData.get(ctx.getSystem()).replicator().tell(Replicator.flushChanges());
  }
}
