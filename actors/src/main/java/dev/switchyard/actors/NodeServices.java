package dev.switchyard.actors;

import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.LocalPolicies;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.metrics.RecentEpisodes;
import dev.switchyard.actors.pool.LoadBoard;
import dev.switchyard.actors.query.OpenQueries;
import dev.switchyard.actors.shadow.LocalShadows;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.actors.tenant.TenantMeter;
import dev.switchyard.protocol.ModelCard;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * What the actors of one node share: settings, clock, the model cards and pipelines, this node's views of
 * pool load and policies (read locally, no hop), sharding, and the proxies of the learner singletons and of the
 * open-queries registry, the node's meters, this node's installed shadows and promoted artifacts (read locally),
 * the proxy of the shadow registry singleton, the last episodes that finished here, and how the node meters its
 * tenants. Built once by {@link EngineNode}.
 */
public record NodeServices(EngineSettings settings, Clock clock, List<ModelCard> models,
    Map<String, PipelineDefinition> pipelines, LocalPolicies policies, LoadBoard loads, ClusterSharding sharding,
    Map<String, ActorRef<Learner.Command>> learners, ActorRef<OpenQueries.Command> openQueries,
    EngineMetrics metrics, LocalShadows shadows, ActorRef<ShadowRegistry.Command> shadowRegistry,
    RecentEpisodes recentEpisodes, TenantMeter tenants) {
  public NodeServices {
    models = List.copyOf(models);
    pipelines = Map.copyOf(pipelines);
    learners = Map.copyOf(learners);
  }

  /** The models a pipeline routes between: its own, or every model of the node when it names none. */
  public List<String> modelsOf(PipelineDefinition pipeline) {
    return pipeline.models().isEmpty() ? models.stream().map(ModelCard::id).toList() : pipeline.models();
  }

  public Set<String> modelIds() {
    return models.stream().map(ModelCard::id).collect(Collectors.toSet());
  }
}
