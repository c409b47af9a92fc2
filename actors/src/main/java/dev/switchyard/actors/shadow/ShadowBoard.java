package dev.switchyard.actors.shadow;

import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.fleet.PolicyArtifacts;
import dev.switchyard.actors.shadow.ShadowRegistry.Installed;
import dev.switchyard.actors.shadow.ShadowRegistry.ShadowsPublished;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One per node: turns the registry's publications into this node's {@link LocalShadows} (each artifact's planner
 * built once, by fingerprint, over the pipeline's models as this node serves them). At start it subscribes to the
 * registry's topic and asks the registry for the current publication, so a node that joins later gets the shadows
 * and promotions installed before it came. A publication older than the one it holds is ignored.
 */
public final class ShadowBoard {
  private final ActorContext<ShadowsPublished> ctx;
  private final NodeServices services;
  /** Planners built, by pipeline and fingerprint. */
  private final Map<String, LocalShadows.Entry> built = new HashMap<>();
  private long revision = -1;

  private ShadowBoard(ActorContext<ShadowsPublished> ctx, NodeServices services) {
    this.ctx = ctx;
    this.services = services;
  }

  /** @param services this node's pipelines, its {@link LocalShadows} to write and the registry to ask */
  public static Behavior<ShadowsPublished> create(NodeServices services,
      ActorRef<Topic.Command<ShadowsPublished>> topic) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.getSelf()));
      services.shadowRegistry().tell(new ShadowRegistry.Hello(ctx.getSelf()));
      ShadowBoard board = new ShadowBoard(ctx, services);
      return Behaviors.receiveMessage(board::onPublished);
    });
  }

  private Behavior<ShadowsPublished> onPublished(ShadowsPublished published) {
    if (published.revision() < revision) {
      return Behaviors.same();
    }
    revision = published.revision();
    services.shadows().replace(entries(published.shadows()), entries(published.acting()));
    return Behaviors.same();
  }

  private Map<String, LocalShadows.Entry> entries(List<Installed> installed) {
    Map<String, LocalShadows.Entry> out = new HashMap<>();
    for (Installed i : installed) {
      PipelineDefinition def = services.pipelines().get(i.pipeline());
      if (def == null) {
        ctx.getLog().warn("artifact {} is installed for pipeline {}, which this node does not serve", i.fingerprint(),
            i.pipeline());
        continue;
      }
      LocalShadows.Entry entry = built.get(i.pipeline() + "|" + i.fingerprint());
      if (entry == null) {
        try {
          entry = new LocalShadows.Entry(i.fingerprint(), PolicyArtifacts.planner(
              PolicyArtifact.parse(i.fingerprint(), i.artifactJson()), services.modelsOf(def), def.recordedIds()));
          built.put(i.pipeline() + "|" + i.fingerprint(), entry);
        } catch (RuntimeException e) {
          ctx.getLog().error("pipeline {}: cannot build artifact {} on this node, it does not decide here: {}",
              i.pipeline(), i.fingerprint(), e.toString());
          continue;
        }
      }
      out.put(i.pipeline(), entry);
    }
    return out;
  }
}
