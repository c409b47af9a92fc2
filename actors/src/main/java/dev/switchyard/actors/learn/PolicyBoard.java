package dev.switchyard.actors.learn;

import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.learn.OnlineLearner;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * One per node: keeps, per learned pipeline, the newest published policy version and an OnlineLearner of this
 * node restored from it (and the shadow candidate, if any), in {@link LocalPolicies}. Publications come from the
 * pipeline's replicated {@link PolicyRegister}, to which the board subscribes: on a node that starts after the
 * learner published, the register's current value arrives by gossip. Before the first publication a pipeline
 * decides with a fresh, untrained instance at version 0. A value older than what the board holds is ignored, so
 * the board never moves a node backwards.
 */
public final class PolicyBoard {
  public interface Command {}

  /** The replicator about a subscribed policy register (through a message adapter). */
  record RegisterChanged(Replicator.SubscribeResponse<LWWRegister<PolicyPublished>> response) implements Command {}

  private PolicyBoard() {}

  public static Behavior<Command> create(List<PipelineDefinition> pipelines, LocalPolicies policies) {
    return create(pipelines, policies, p -> false);
  }

  /** @param manual whether a pipeline is under manual promotion (its acting policy never learns locally) */
  public static Behavior<Command> create(List<PipelineDefinition> pipelines, LocalPolicies policies,
      java.util.function.Predicate<String> manual) {
    Map<String, PipelineDefinition> learned = pipelines.stream().filter(PipelineDefinition::isLearned)
        .collect(Collectors.toMap(PipelineDefinition::name, p -> p));
    return Behaviors.setup(ctx -> DistributedData.<Command, LWWRegister<PolicyPublished>>withReplicatorMessageAdapter(
        replicator -> {
      learned.forEach((name, def) -> {
        if (!manual.test(name)) {
          policies.enableLocalLearning(name);
        }
        policies.put(name, new LocalPolicies.View(0, def.startingLearner(), 0, null));
        replicator.subscribe(PolicyRegister.key(name), RegisterChanged::new);
      });
      return Behaviors.receive(Command.class).onMessage(RegisterChanged.class, changed -> {
        if (changed.response() instanceof Replicator.Changed<LWWRegister<PolicyPublished>> c) {
          install(ctx, learned, policies, c.get(c.key()).getValue());
        }
        return Behaviors.same();
      }).build();
    }));
  }

  private static void install(ActorContext<Command> ctx, Map<String, PipelineDefinition> learned,
      LocalPolicies policies, PolicyPublished published) {
    PipelineDefinition def = learned.get(published.pipeline());
    if (def == null) {
      return;
    }
    Optional<LocalPolicies.View> current = policies.view(published.pipeline());
    long activeNow = current.map(LocalPolicies.View::activeVersion).orElse(-1L);
    long candidateNow = current.map(LocalPolicies.View::candidateVersion).orElse(-1L);
    long candidateNext = published.candidate() == null ? 0 : published.candidate().version();
    if (published.active().version() < activeNow
        || (published.active().version() == activeNow && candidateNext == candidateNow)) {
      return;
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
  }

  private static OnlineLearner restored(PipelineDefinition def, PolicySnapshot snapshot) {
    OnlineLearner learner = def.learner().get();
    learner.restore(snapshot);
    return learner;
  }
}
