package dev.switchyard.actors.learn;

import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.learn.OnlineLearner;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One per node: keeps, per learned pipeline, the newest published policy version and an OnlineLearner of this
 * node restored from it (and the shadow candidate, if any), in {@link LocalPolicies}. Before the first
 * publication a pipeline decides with a fresh, untrained instance at version 0. A publication older than what
 * the board holds is ignored, so out-of-order delivery never moves a node backwards.
 */
public final class PolicyBoard {
  public static final String TOPIC = "switchyard-policies";

  private PolicyBoard() {}

  public static Behavior<PolicyPublished> create(List<PipelineDefinition> pipelines, LocalPolicies policies,
      ActorRef<Topic.Command<PolicyPublished>> topic) {
    return create(pipelines, policies, topic, p -> false);
  }

  /** @param manual whether a pipeline is under manual promotion (its acting policy never learns locally) */
  public static Behavior<PolicyPublished> create(List<PipelineDefinition> pipelines, LocalPolicies policies,
      ActorRef<Topic.Command<PolicyPublished>> topic, java.util.function.Predicate<String> manual) {
    Map<String, PipelineDefinition> learned = pipelines.stream().filter(PipelineDefinition::isLearned)
        .collect(Collectors.toMap(PipelineDefinition::name, p -> p));
    return Behaviors.setup(ctx -> {
      learned.forEach((name, def) -> {
        if (!manual.test(name)) {
          policies.enableLocalLearning(name);
        }
        policies.put(name, new LocalPolicies.View(0, def.startingLearner(), 0, null));
      });
      topic.tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(published -> {
        PipelineDefinition def = learned.get(published.pipeline());
        if (def == null) {
          return Behaviors.same();
        }
        Optional<LocalPolicies.View> current = policies.view(published.pipeline());
        long activeNow = current.map(LocalPolicies.View::activeVersion).orElse(-1L);
        long candidateNow = current.map(LocalPolicies.View::candidateVersion).orElse(-1L);
        long candidateNext = published.candidate() == null ? 0 : published.candidate().version();
        if (published.active().version() < activeNow
            || (published.active().version() == activeNow && candidateNext == candidateNow)) {
          return Behaviors.same();
        }
        try {
          OnlineLearner active = restored(def, published.active());
          OnlineLearner candidate = published.candidate() == null ? null : restored(def, published.candidate());
          policies.published(published.pipeline(),
              new LocalPolicies.View(published.active().version(), active, candidateNext, candidate),
              published.learnedIds(), published.active().createdAtMillis());
        } catch (RuntimeException e) {
          ctx.getLog().error("cannot restore policy {} v{}: {}", published.pipeline(), published.active().version(),
              e.toString());
        }
        return Behaviors.same();
      });
    });
  }

  private static OnlineLearner restored(PipelineDefinition def, PolicySnapshot snapshot) {
    OnlineLearner learner = def.learner().get();
    learner.restore(snapshot);
    return learner;
  }
}
