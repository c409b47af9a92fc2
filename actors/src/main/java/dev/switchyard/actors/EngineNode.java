package dev.switchyard.actors;

import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.job.JobActor;
import dev.switchyard.actors.journal.JournalCheck;
import dev.switchyard.actors.journal.JournalHealth;
import dev.switchyard.actors.journal.JournalProbe;
import dev.switchyard.actors.job.JobSettings;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.LocalPolicies;
import dev.switchyard.actors.learn.PolicyBoard;
import dev.switchyard.actors.learn.PolicyPublished;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.metrics.MetricsSettings;
import dev.switchyard.actors.pool.LoadBoard;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.actors.query.OpenQueries;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PoolLoad;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * Boots the engine on one node: the journal schema (if configured), the journal probe, cluster membership (a node without seed
 * nodes joins itself), the load and policy topics with this node's boards, sharding for {@code query} and
 * {@code model-pool} entities (pools use this node's backends), {@code job} entities, the open-queries registry and one learner
 * singleton per learned pipeline. Call once per ActorSystem. The engine's meters ({@link EngineMetrics}) go to the
 * registry given, one per node; without one they are recorded nowhere.
 */
public final class EngineNode {
  private EngineNode() {}

  public static Engine start(ActorSystem<?> system, EngineSetup setup) {
    return start(system, setup, Clock.systemUTC());
  }

  public static Engine start(ActorSystem<?> system, EngineSetup setup, Clock clock) {
    return start(system, setup, clock, EngineMetrics.noRegistry());
  }

  /** @param registry this node's meter registry (e.g. the Prometheus registry that {@code GET /metrics} renders) */
  public static Engine start(ActorSystem<?> system, EngineSetup setup, Clock clock, MeterRegistry registry) {
    EngineSettings settings = EngineSettings.from(system.settings().config());
    EngineMetrics metrics = new EngineMetrics(registry, MetricsSettings.from(system.settings().config()),
        setup.models().stream().map(ModelCard::id).toList());
    // Without a journal every learner and durable query would fail at start, long after this call returned.
    if (system.settings().config().getString("pekko.persistence.journal.plugin").isBlank()) {
      throw new IllegalArgumentException("pekko.persistence.journal.plugin is empty: the engine needs a journal "
          + "(e.g. jdbc-journal, as set by the single-node and postgres profiles of cluster-config)");
    }
    if (system.settings().config().getBoolean("switchyard.persistence.create-schema")) {
      createSchema(system);
    }
    Cluster cluster = Cluster.get(system);
    startJournalProbe(system, cluster);
    if (system.settings().config().getBoolean("switchyard.cluster.self-join")
        && system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }

    ActorRef<Topic.Command<PoolLoad>> loadTopic = system.systemActorOf(
        Topic.create(PoolLoad.class, ModelPool.LOAD_TOPIC), "switchyard-load-topic", Props.empty());
    ActorRef<Topic.Command<PolicyPublished>> policyTopic = system.systemActorOf(
        Topic.create(PolicyPublished.class, PolicyBoard.TOPIC), "switchyard-policy-topic", Props.empty());
    LoadBoard loads = new LoadBoard();
    system.systemActorOf(loads.subscriber(loadTopic), "switchyard-load-board", Props.empty());
    LocalPolicies policies = settings.learnerLocalLearning()
        ? new LocalPolicies(settings.learnerLocalGrace().toMillis(), settings.learnerLocalMaxPending())
        : new LocalPolicies();
    system.systemActorOf(PolicyBoard.create(setup.pipelines(), policies, policyTopic, settings::manualPromotion),
        "switchyard-policy-board", Props.empty());

    ClusterSharding sharding = ClusterSharding.get(system);
    Map<String, List<InferenceBackend>> backends = setup.backends();
    sharding.init(Entity.of(ModelPool.TYPE_KEY, ctx -> ModelPool.create(ctx.getEntityId(),
            backends.getOrDefault(ctx.getEntityId(), List.of()),
            setup.pools().getOrDefault(ctx.getEntityId(), settings.pool()), clock, loadTopic, metrics))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));

    ClusterSingleton singletons = ClusterSingleton.get(system);
    ActorRef<OpenQueries.Command> openQueries = singletons.init(SingletonActor.of(
        OpenQueries.create(sharding, settings),
        OpenQueries.SINGLETON_NAME));
    Map<String, ActorRef<Learner.Command>> learners = new HashMap<>();
    Map<String, PipelineDefinition> pipelines = new HashMap<>();
    for (PipelineDefinition p : setup.pipelines()) {
      if (pipelines.put(p.name(), p) != null) {
        throw new IllegalArgumentException("two pipelines are named " + p.name());
      }
      if (p.reward().kind().needsModel()
          && setup.models().stream().noneMatch(m -> m.id().equals(p.reward().model()))) {
        throw new IllegalArgumentException("pipeline " + p.name() + " takes its reward from model "
            + p.reward().model() + ", which is not in the fleet");
      }
      if (p.isLearned()) {
        learners.put(p.name(), singletons.init(SingletonActor.of(Learner.create(p, settings, clock, policyTopic,
            sharding, metrics), Learner.singletonName(p.name()))));
        metrics.policyVersion(p.name(), () -> policies.view(p.name()).map(LocalPolicies.View::activeVersion)
            .orElse(0L));
      }
    }

    NodeServices services = new NodeServices(settings, clock, setup.models(), pipelines, policies, loads, sharding,
        learners, openQueries, metrics);
    sharding.init(Entity.of(QueryActor.TYPE_KEY, ctx -> QueryActor.create(ctx.getEntityId(), services))
        .withSettings(ClusterShardingSettings.create(system).withPassivationStrategy(
            ClusterShardingSettings.PassivationStrategySettings$.MODULE$.defaults()
                .withIdleEntityPassivation(settings.queryPassivateAfterIdle()))));
    JobSettings jobSettings = JobSettings.from(system.settings().config());
    sharding.init(Entity.of(JobActor.TYPE_KEY, ctx -> JobActor.create(ctx.getEntityId(), ctx.getShard(), services, jobSettings))
        .withSettings(ClusterShardingSettings.create(system).withPassivationStrategy(
            ClusterShardingSettings.PassivationStrategySettings$.MODULE$.defaults()
                .withIdleEntityPassivation(settings.queryPassivateAfterIdle()))));
    system.systemActorOf(poolKeeper(sharding, setup.models(), settings.pool().keepAliveInterval()),
        "switchyard-pool-keeper", Props.empty());
    return new ClusterEngine(services, setup.pipelines(), system.scheduler(), jobSettings,
        JournalHealth.get(system), unhonouredFields(backends));
  }

  /** Per model, the request fields some backend of it on this node cannot honour. */
  private static Map<String, Set<String>> unhonouredFields(Map<String, List<InferenceBackend>> backends) {
    Map<String, Set<String>> fields = new HashMap<>();
    backends.forEach((model, list) -> fields.put(model, list.stream()
        .flatMap(b -> b.unhonouredFields().stream()).collect(Collectors.toUnmodifiableSet())));
    return fields;
  }

  /**
   * Starts this node's {@link JournalProbe} (jdbc-journal only: it writes through that plugin's pool), which
   * keeps {@link JournalHealth} current for {@code /ready} and for refusing durable work while the journal
   * cannot write.
   */
  private static void startJournalProbe(ActorSystem<?> system, Cluster cluster) {
    var config = system.settings().config();
    Duration interval = config.getDuration("switchyard.persistence.health.probe-interval");
    Duration timeout = config.getDuration("switchyard.persistence.health.probe-timeout");
    if (interval.isZero() || interval.isNegative() || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("switchyard.persistence.health.probe-interval and probe-timeout must be > 0,"
          + " got " + interval + " and " + timeout);
    }
    String plugin = config.getString("pekko.persistence.journal.plugin");
    if (!plugin.equals("jdbc-journal")) {
      system.log().info("journal health is not probed: the journal plugin is {}, the probe writes through"
          + " jdbc-journal's database", plugin);
      return;
    }
    JournalProbe.Target target = JournalProbe.throughJournalPool(system,
        config.getString("switchyard.persistence.health.probe-table"), cluster.selfMember().address().toString());
    system.systemActorOf(JournalProbe.create(JournalHealth.get(system), target, interval, timeout,
        system.dispatchers().lookup(DispatcherSelector.blocking())), "switchyard-journal-probe", Props.empty());
  }

  /**
   * Wakes every model pool now and then on a timer. Pools must run even when no query calls them (they own
   * admission state and publish load), but sharding starts an entity only on a message: after a rebalance or a
   * node loss a pool would otherwise stay down until its next call. Wake is a no-op for a running pool. Once
   * the node shuts down the keeper stops: a wake sent then is buffered by the closing shard region, which waits
   * for its buffer until the phase times out (9 s of every shutdown, measured).
   */
  private static Behavior<ModelPool.Wake> poolKeeper(ClusterSharding sharding,
      List<ModelCard> models, Duration interval) {
    return Behaviors.setup(ctx -> {
      CoordinatedShutdown shutdown = CoordinatedShutdown.get(ctx.getSystem());
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(ModelPool.Wake.INSTANCE, Duration.ZERO, interval);
        return Behaviors.receiveMessage(tick -> {
          if (shutdown.getShutdownReason().isPresent()) {
            return Behaviors.stopped();
          }
          models.forEach(m -> sharding.entityRefFor(ModelPool.TYPE_KEY, m.id()).tell(ModelPool.Wake.INSTANCE));
          return Behaviors.same();
        });
      });
    });
  }

  private static void createSchema(ActorSystem<?> system) {
    Duration timeout = system.settings().config().getDuration("switchyard.persistence.create-schema-timeout");
    try {
      SchemaUtils.createIfNotExists(system).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the journal schema", e);
    } catch (Exception e) {
      // The pool's own error is often just a timeout: the plain-JDBC check names a lock, a read-only or full
      // filesystem or a corrupted file (serve runs it before the node starts; other callers learn it here).
      String why = JournalCheck.run(system.settings().config()).map(JournalCheck.Problem::line)
          .orElse(e.toString());
      throw new IllegalStateException("cannot create the journal schema: " + why, e);
    }
  }
}
