package dev.switchyard.actors;

import dev.switchyard.actors.job.JobActor;
import dev.switchyard.actors.job.JobSettings;
import dev.switchyard.actors.journal.JournalHealth;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.LocalPolicies;
import dev.switchyard.actors.learn.PolicyBoard;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.metrics.RecentEpisodes;
import dev.switchyard.actors.pool.LoadBoard;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.actors.pool.PoolKeeper;
import dev.switchyard.actors.query.OpenQueries;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.actors.shadow.LocalShadows;
import dev.switchyard.actors.shadow.ShadowBoard;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.actors.shadow.ShadowRegistry.ShadowsPublished;
import dev.switchyard.actors.tenant.LedgerSettings;
import dev.switchyard.actors.tenant.TenantLedger;
import dev.switchyard.actors.tenant.TenantMeter;
import dev.switchyard.protocol.PoolLoad;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The engine's guardian on one node (system actor {@code switchyard}): its children are the node's load topic,
 * the {@link LoadBoard} subscriber, the {@link PolicyBoard} (subscribed to the replicated policy registers), the
 * {@link PoolKeeper} and, if any,
 * the journal probe, the shadow topic and {@link ShadowBoard}; it starts the node's part of the
 * {@code model-pool}, {@code query}, {@code job} and {@code tenant-ledger} sharding (each entity's {@code initSharding}) and the
 * open-queries registry, shadow registry and learner singletons (spawned
 * by the cluster's singleton manager, not as its children). It does all of it in its setup, then hands the
 * {@link Engine} to {@code booted}; a failure on the way completes {@code booted} with it and stops the
 * guardian. It takes no messages.
 */
final class NodeGuardian {
  private NodeGuardian() {}

  /** What the node boots with, prepared (and checked) by {@link EngineNode} before the guardian starts. */
  record Boot(EngineSetup setup, EngineSettings settings, Clock clock, EngineMetrics metrics,
      Behavior<?> journalProbe, CompletableFuture<Engine> booted) {}

  static Behavior<Void> create(Boot boot) {
    return Behaviors.setup(ctx -> {
      try {
        boot.booted().complete(start(ctx, boot));
        return Behaviors.empty();
      } catch (RuntimeException e) {
        boot.booted().completeExceptionally(e);
        return Behaviors.stopped();
      }
    });
  }

  private static Engine start(ActorContext<Void> ctx, Boot boot) {
    EngineSetup setup = boot.setup();
    EngineSettings settings = boot.settings();
    if (boot.journalProbe() != null) {
      ctx.spawn(boot.journalProbe(), "journal-probe");
    }
    ActorRef<Topic.Command<PoolLoad>> loadTopic = ctx.spawn(Topic.create(PoolLoad.class, ModelPool.LOAD_TOPIC),
        "load-topic");
    LoadBoard loads = new LoadBoard();
    ctx.spawn(loads.subscriber(loadTopic), "load-board");
    LocalPolicies policies = settings.learnerLocalLearning()
        ? new LocalPolicies(settings.learnerLocalGrace().toMillis(), settings.learnerLocalMaxPending())
        : new LocalPolicies();
    ctx.spawn(PolicyBoard.create(setup.pipelines(), policies, settings::manualPromotion),
        "policy-board");

    var system = ctx.getSystem();
    ClusterSharding sharding = ClusterSharding.get(system);
    ModelPool.initSharding(system, setup.backends(), id -> setup.pools().getOrDefault(id, settings.pool()),
        boot.clock(), loadTopic, boot.metrics(), setup.tenants());

    ClusterSingleton singletons = ClusterSingleton.get(system);
    ActorRef<OpenQueries.Command> openQueries = singletons.init(SingletonActor.of(
        OpenQueries.create(sharding, settings), OpenQueries.SINGLETON_NAME));
    ActorRef<Topic.Command<ShadowsPublished>> shadowTopic = ctx.spawn(
        Topic.create(ShadowsPublished.class, ShadowRegistry.TOPIC), "shadow-topic");
    ActorRef<ShadowRegistry.Command> shadowRegistry = singletons.init(SingletonActor.of(ShadowRegistry.create(
        boot.clock(), shadowTopic, system.settings().config().getInt("switchyard.shadow.tally-max-queries"),
        settings.restartBackoff().strategy()), ShadowRegistry.SINGLETON_NAME));
    Map<String, ActorRef<Learner.Command>> learners = new HashMap<>();
    Map<String, PipelineDefinition> pipelines = new HashMap<>();
    for (PipelineDefinition p : setup.pipelines()) {
      pipelines.put(p.name(), p);
      if (p.isLearned()) {
        learners.put(p.name(), singletons.init(SingletonActor.of(Learner.create(p, settings, boot.clock(),
            sharding, boot.metrics(), shadowRegistry), Learner.singletonName(p.name()))));
        boot.metrics().policyVersion(p.name(), () -> policies.view(p.name())
            .map(LocalPolicies.View::activeVersion).orElse(0L));
      }
    }

    LedgerSettings ledgerSettings = LedgerSettings.from(system.settings().config());
    TenantLedger.initSharding(system, setup.tenants(), ledgerSettings, boot.clock(),
        settings.restartBackoff().strategy());
    NodeServices services = new NodeServices(settings, boot.clock(), setup.models(), pipelines, policies, loads,
        sharding, learners, openQueries, boot.metrics(), new LocalShadows(), shadowRegistry,
        RecentEpisodes.fromConfig(system.settings().config()),
        new TenantMeter(setup.tenants(), ledgerSettings, sharding));
    ctx.spawn(ShadowBoard.create(services, shadowTopic), "shadow-board");
    QueryActor.initSharding(system, services);
    JobSettings jobSettings = JobSettings.from(system.settings().config());
    JobActor.initSharding(system, services, jobSettings);
    ctx.spawn(PoolKeeper.create(sharding, setup.models(), settings.pool().keepAliveInterval()), "pool-keeper");
    return new ClusterEngine(services, setup.pipelines(), system.scheduler(), jobSettings,
        JournalHealth.get(system), EngineNode.unhonouredFields(setup.backends()),
        system.settings().config().getBytes("pekko.remote.artery.advanced.maximum-frame-size"));
  }
}
