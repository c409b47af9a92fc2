package dev.switchyard.actors.shadow;

import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.Journaled;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The cluster's installed shadows and promoted artifacts, one cluster singleton for every pipeline. An artifact
 * installed as a pipeline's shadow (the admin API) decides every query of the pipeline on every node in shadow:
 * its choice is recorded in the episode ({@code shadow:<fingerprint>:route}) and never acted on. Promoting it makes
 * it act: a fixed pipeline's planner is replaced by the artifact's on every node; a learned pipeline's learner
 * adopts the artifact's state (journaled by the learner, see {@code Learner.Adopt}), and this registry records the
 * promotion.
 *
 * <p>Durable: installs, removals and promotions are journaled ({@code shadows|registry}), so an installed shadow
 * and a promotion survive a restart even though the configuration file still names the old artifact; at start the
 * registry logs, for every pipeline a promoted artifact serves, which one and since when. Every change is
 * published ({@link ShadowsPublished}, numbered by journal sequence) on a topic to each node's {@link ShadowBoard},
 * and a board that starts later asks for the current state ({@link Hello}).
 *
 * <p>Score: the registry tallies the shadow's decisions from the episodes the nodes send it ({@link Observe}: at
 * the end of every query whose episode has a shadow step, and again when a reward arrives: user feedback, or a
 * learner's configured signal), in memory. The tallies are lost on a restart or singleton hand-over, and reset
 * when another shadow is installed; a query counts once (the last {@code tally-max-queries} query ids are
 * remembered per pipeline).
 */
public final class ShadowRegistry extends EventSourcedBehavior<ShadowRegistry.Command, ShadowRegistry.Event,
    ShadowRegistry.State> {
  public static final String SINGLETON_NAME = "switchyard-shadow-registry";
  public static final String TOPIC = "switchyard-shadows";

  public interface Command extends CrossNode {}

  /** Installs (or replaces) the pipeline's shadow; replies once journaled. */
  public record Install(Installed shadow, ActorRef<Report> replyTo) implements Command {}

  /** Removes the pipeline's shadow; replies with the report of what was removed (null shadow when none was). */
  public record Remove(String pipeline, ActorRef<Report> replyTo) implements Command {}

  /**
   * Records the promotion of the pipeline's shadow (whose fingerprint must be {@code fingerprint}): it no longer
   * decides in shadow; for a fixed pipeline ({@code acts}) it becomes the acting planner on every node.
   */
  public record Promote(String pipeline, String fingerprint, boolean acts, ActorRef<Report> replyTo)
      implements Command {}

  /** @param withArtifact whether the report's shadow carries the artifact's JSON text (for a promotion) */
  public record GetReport(String pipeline, boolean withArtifact, ActorRef<Report> replyTo) implements Command {}

  /** A finished or rewarded episode of a pipeline with a shadow. */
  public record Observe(Episode episode) implements Command {}

  /** A board asks for the current publication. */
  public record Hello(ActorRef<ShadowsPublished> board) implements Command {}

  /** An artifact as installed: its JSON text, its fingerprint, when. */
  public record Installed(String pipeline, String artifactJson, String fingerprint, long atMillis)
      implements CrossNode, Journaled {}

  /**
   * @param shadow the installed shadow, null when none
   * @param promoted the last promoted artifact's fingerprint and time (null when none)
   */
  public record Report(String pipeline, Installed shadow, ShadowTally.Score score, String promoted,
      long promotedAtMillis) implements CrossNode {}

  /** Everything installed and promoted, numbered: a board ignores a publication older than the one it holds. */
  public record ShadowsPublished(long revision, List<Installed> shadows, List<Installed> acting)
      implements CrossNode {
    public ShadowsPublished {
      shadows = List.copyOf(shadows);
      acting = List.copyOf(acting);
    }
  }

  public interface Event extends Journaled {}

  public record ShadowInstalled(Installed shadow) implements Event {}

  public record ShadowRemoved(String pipeline, long atMillis) implements Event {}

  /** @param acting the artifact that now acts for a fixed pipeline; null for a learned one (its learner adopted it) */
  public record ShadowPromoted(String pipeline, String fingerprint, Installed acting, long atMillis)
      implements Event {}

  /** @param promotions per pipeline, the fingerprint and time of its last promotion */
  public record State(Map<String, Installed> shadows, Map<String, Installed> acting,
      Map<String, Installed> promotions) implements Journaled {
    public State {
      shadows = Map.copyOf(shadows);
      acting = Map.copyOf(acting);
      promotions = Map.copyOf(promotions);
    }
  }

  /**
   * Sends {@code episode} to the registry when it has a decision of an installed shadow (an artifact's, whose label
   * is its fingerprint {@code strategy@hex}; a learner's own candidate, {@code shadow:v<N>:}, is not tallied here).
   */
  public static void observe(ActorRef<Command> registry, Episode episode) {
    if (registry != null && episode.steps().stream().anyMatch(s -> s.decision() != null
        && s.decision().startsWith("shadow:") && s.decision().indexOf('@') > 0)) {
      registry.tell(new Observe(episode));
    }
  }

  private final ActorContext<Command> ctx;
  private final Clock clock;
  private final ActorRef<Topic.Command<ShadowsPublished>> topic;
  private final int tallyMaxQueries;
  private final Map<String, ShadowTally> tallies = new LinkedHashMap<>();

  /** @param restart how the registry restarts after a journal failure ({@code switchyard.persistence.restart-backoff}) */
  public static Behavior<Command> create(Clock clock, ActorRef<Topic.Command<ShadowsPublished>> topic,
      int tallyMaxQueries, BackoffSupervisorStrategy restart) {
    if (tallyMaxQueries < 1) {
      throw new IllegalArgumentException("switchyard.shadow.tally-max-queries must be >= 1, got " + tallyMaxQueries);
    }
    return Behaviors.setup(ctx -> new ShadowRegistry(ctx, clock, topic, tallyMaxQueries, restart));
  }

  private ShadowRegistry(ActorContext<Command> ctx, Clock clock, ActorRef<Topic.Command<ShadowsPublished>> topic,
      int tallyMaxQueries, BackoffSupervisorStrategy restart) {
    super(PersistenceId.ofUniqueId("shadows|registry"), restart);
    this.ctx = ctx;
    this.clock = clock;
    this.topic = topic;
    this.tallyMaxQueries = tallyMaxQueries;
  }

  @Override
  public State emptyState() {
    return new State(Map.of(), Map.of(), Map.of());
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Install.class, this::onInstall)
        .onCommand(Remove.class, this::onRemove)
        .onCommand(Promote.class, this::onPromote)
        .onCommand(GetReport.class, (state, get) -> {
          Report r = report(state, get.pipeline());
          get.replyTo().tell(get.withArtifact() && r.shadow() != null ? new Report(r.pipeline(),
              state.shadows().get(get.pipeline()), r.score(), r.promoted(), r.promotedAtMillis()) : r);
          return Effect().none();
        })
        .onCommand(Observe.class, this::onObserve)
        .onCommand(Hello.class, (state, hello) -> {
          hello.board().tell(publication(state));
          return Effect().none();
        })
        .build();
  }

  private Effect<Event, State> onInstall(State state, Install install) {
    return Effect().persist(new ShadowInstalled(install.shadow())).thenRun(next -> {
      tallies.put(install.shadow().pipeline(), new ShadowTally(install.shadow().fingerprint(), tallyMaxQueries));
      topic.tell(Topic.publish(publication(next)));
      install.replyTo().tell(report(next, install.shadow().pipeline()));
    });
  }

  private Effect<Event, State> onRemove(State state, Remove remove) {
    Report before = report(state, remove.pipeline());
    if (before.shadow() == null) {
      remove.replyTo().tell(before);
      return Effect().none();
    }
    return Effect().persist(new ShadowRemoved(remove.pipeline(), clock.millis())).thenRun(next -> {
      tallies.remove(remove.pipeline());
      topic.tell(Topic.publish(publication(next)));
      remove.replyTo().tell(before);
    });
  }

  private Effect<Event, State> onPromote(State state, Promote promote) {
    Installed shadow = state.shadows().get(promote.pipeline());
    if (shadow == null || !shadow.fingerprint().equals(promote.fingerprint())) {
      promote.replyTo().tell(report(state, promote.pipeline())); // replaced or removed meanwhile: nothing promoted
      return Effect().none();
    }
    Report scored = report(state, promote.pipeline());
    return Effect().persist(new ShadowPromoted(promote.pipeline(), shadow.fingerprint(),
        promote.acts() ? shadow : null, clock.millis())).thenRun(next -> {
          tallies.remove(promote.pipeline());
          topic.tell(Topic.publish(publication(next)));
          Report after = report(next, promote.pipeline());
          promote.replyTo().tell(new Report(promote.pipeline(), scored.shadow(), scored.score(), after.promoted(),
              after.promotedAtMillis()));
        });
  }

  private Effect<Event, State> onObserve(State state, Observe observe) {
    ShadowTally tally = tallies.get(observe.episode().pipeline());
    if (tally != null) {
      tally.observe(observe.episode());
    }
    return Effect().none();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(ShadowInstalled.class, (state, e) -> {
          Map<String, Installed> shadows = new LinkedHashMap<>(state.shadows());
          shadows.put(e.shadow().pipeline(), e.shadow());
          return new State(shadows, state.acting(), state.promotions());
        })
        .onEvent(ShadowRemoved.class, (state, e) -> {
          Map<String, Installed> shadows = new LinkedHashMap<>(state.shadows());
          shadows.remove(e.pipeline());
          return new State(shadows, state.acting(), state.promotions());
        })
        .onEvent(ShadowPromoted.class, (state, e) -> {
          Map<String, Installed> shadows = new LinkedHashMap<>(state.shadows());
          Installed promoted = shadows.remove(e.pipeline());
          Map<String, Installed> acting = new LinkedHashMap<>(state.acting());
          if (e.acting() != null) {
            acting.put(e.pipeline(), e.acting());
          } else {
            acting.remove(e.pipeline());
          }
          Map<String, Installed> promotions = new LinkedHashMap<>(state.promotions());
          promotions.put(e.pipeline(), new Installed(e.pipeline(), null, e.fingerprint(), e.atMillis()));
          return new State(shadows, acting, promotions);
        })
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          new TreeMap<>(state.promotions()).forEach((pipeline, p) -> ctx.getLog().warn("pipeline {} serves the"
              + " artifact {} promoted at {} through the admin API{} (journaled; the configuration file may name"
              + " another)", pipeline, p.fingerprint(), java.time.Instant.ofEpochMilli(p.atMillis()),
              state.acting().containsKey(pipeline) ? "" : ", adopted by its learner"));
          new TreeMap<>(state.shadows()).forEach((pipeline, s) -> {
            tallies.put(pipeline, new ShadowTally(s.fingerprint(), tallyMaxQueries));
            ctx.getLog().info("pipeline {} has the shadow {}, installed at {}; its score starts again from zero",
                pipeline, s.fingerprint(), java.time.Instant.ofEpochMilli(s.atMillis()));
          });
          topic.tell(Topic.publish(publication(state)));
        })
        .build();
  }

  private ShadowsPublished publication(State state) {
    return new ShadowsPublished(lastSequenceNumber(ctx), List.copyOf(state.shadows().values()),
        List.copyOf(state.acting().values()));
  }

  private Report report(State state, String pipeline) {
    Installed shadow = state.shadows().get(pipeline);
    ShadowTally tally = tallies.get(pipeline);
    Installed promoted = state.promotions().get(pipeline);
    return new Report(pipeline, shadow == null ? null : new Installed(pipeline, null, shadow.fingerprint(),
        shadow.atMillis()), shadow == null || tally == null ? null : tally.score(),
        promoted == null ? null : promoted.fingerprint(), promoted == null ? 0 : promoted.atMillis());
  }
}
