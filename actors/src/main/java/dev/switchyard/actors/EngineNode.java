package dev.switchyard.actors;

import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.journal.JournalHealth;
import dev.switchyard.actors.journal.JournalProbe;
import dev.switchyard.actors.journal.JournalSchema;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.metrics.MetricsSettings;
import dev.switchyard.protocol.ModelCard;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Boots the engine on one node: checks the journal plugin and the pipelines, creates the journal schema (if
 * configured), joins the cluster (a node without seed nodes joins itself), then starts the {@link NodeGuardian},
 * which runs the journal probe, the load topic and this node's boards (the policy board subscribed to the
 * replicated policy registers), sharding for {@code model-pool} (pools use this node's backends), {@code query}
 * and {@code job} entities, the open-queries
 * registry and one learner singleton per learned pipeline, and waits (at most {@code switchyard.engine.boot-timeout})
 * for the engine it hands back. Call once per ActorSystem. The engine's meters ({@link EngineMetrics}) go to the
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
      JournalSchema.create(system);
    }
    Cluster cluster = Cluster.get(system);
    Behavior<?> journalProbe = journalProbe(system, cluster);
    if (system.settings().config().getBoolean("switchyard.cluster.self-join")
        && system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }

    checkPipelines(setup);
    CompletableFuture<Engine> booted = new CompletableFuture<>();
    system.systemActorOf(NodeGuardian.create(new NodeGuardian.Boot(setup, settings, clock, metrics, journalProbe,
        booted)), "switchyard", Props.empty());
    Duration timeout = system.settings().config().getDuration("switchyard.engine.boot-timeout");
    try {
      return booted.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the engine's guardian started", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the engine's guardian did not start within " + timeout
          + " (switchyard.engine.boot-timeout)", e);
    }
  }

  /** Pipeline names are unique, and a pipeline rewarded by a model names one of the fleet. */
  private static void checkPipelines(EngineSetup setup) {
    Set<String> names = new HashSet<>();
    for (PipelineDefinition p : setup.pipelines()) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("two pipelines are named " + p.name());
      }
      if (p.reward().kind().needsModel()
          && setup.models().stream().noneMatch(m -> m.id().equals(p.reward().model()))) {
        throw new IllegalArgumentException("pipeline " + p.name() + " takes its reward from model "
            + p.reward().model() + ", which is not in the fleet");
      }
    }
  }

  /** Per model, the request fields some backend of it on this node cannot honour. */
  static Map<String, Set<String>> unhonouredFields(Map<String, List<InferenceBackend>> backends) {
    Map<String, Set<String>> fields = new HashMap<>();
    backends.forEach((model, list) -> fields.put(model, list.stream()
        .flatMap(b -> b.unhonouredFields().stream()).collect(Collectors.toUnmodifiableSet())));
    return fields;
  }

  /**
   * This node's {@link JournalProbe} (jdbc-journal only: it writes through that plugin's pool; null for another
   * plugin), which keeps {@link JournalHealth} current for {@code /ready} and for refusing durable work while the
   * journal cannot write. The guardian runs it.
   */
  private static Behavior<?> journalProbe(ActorSystem<?> system, Cluster cluster) {
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
      return null;
    }
    JournalProbe.Target target = JournalProbe.throughJournalPool(system,
        config.getString("switchyard.persistence.health.probe-table"), cluster.selfMember().address().toString());
    return JournalProbe.create(JournalHealth.get(system), target, interval, timeout,
        system.dispatchers().lookup(DispatcherSelector.blocking()));
  }


}
