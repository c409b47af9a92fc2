package dev.switchyard.actors;

import dev.switchyard.actors.learn.RewardSignal;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.Planner;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A routing pipeline the engine serves under a name (the {@code model} field of a chat completion, e.g.
 * {@code switchyard/cascade}). Either a fixed planner (a strategy trained offline) or a learned one: then the
 * engine runs a learner singleton with one instance from {@code learner} and keeps one more per node,
 * restored from the published snapshots, to decide with.
 *
 * @param models the fleet models the pipeline routes between (its planner sees only these); empty = every model
 * @param reward what a learned pipeline's episodes that get no feedback within
 *     {@code switchyard.learner.feedback-window.signal-after} are learned from ({@link RewardSignal}): nothing
 *     ({@code feedback}), their answer's confidence, its agreement with other models, or a judge model's grade
 * @param recordedIds each model's id in recorded data ({@code recorded-as}), where it differs from its fleet id:
 *     how a policy artifact's models are matched to the pipeline's (empty: the same ids)
 * @param start a learned pipeline's starting state (its learner built cold, then this snapshot), from a policy
 *     artifact; null when it starts as its learner is built
 */
public record PipelineDefinition(String name, String description, StrategyInfo strategy, Planner fixedPlanner,
    Supplier<OnlineLearner> learner, List<String> models, RewardSignal reward, Map<String, String> recordedIds,
    Start start) {
  /** A learner's start from an artifact: its state as a snapshot of the pipeline's learner, and which artifact. */
  public record Start(PolicySnapshot snapshot, String source) {
    public Start {
      Objects.requireNonNull(snapshot, "snapshot");
      Objects.requireNonNull(source, "source");
    }
  }

  public PipelineDefinition {
    Objects.requireNonNull(name, "name");
    reward = reward == null ? RewardSignal.FEEDBACK_ONLY : reward;
    models = models == null ? List.of() : List.copyOf(models);
    recordedIds = recordedIds == null ? Map.of() : Map.copyOf(recordedIds);
    if (start != null && learner == null) {
      throw new IllegalArgumentException("pipeline " + name + ": only a learner starts from a snapshot");
    }
    Objects.requireNonNull(strategy, "strategy");
    if ((fixedPlanner == null) == (learner == null)) {
      throw new IllegalArgumentException("pipeline " + name + ": give exactly one of a fixed planner or a learner");
    }
  }

  public static PipelineDefinition fixed(String name, String description, StrategyInfo info, Planner planner) {
    return new PipelineDefinition(name, description, info, planner, null, List.of(), RewardSignal.FEEDBACK_ONLY,
        Map.of(), null);
  }

  public static PipelineDefinition learned(String name, String description, Supplier<OnlineLearner> learner) {
    return new PipelineDefinition(name, description, learner.get().info(), null, learner, List.of(),
        RewardSignal.FEEDBACK_ONLY, Map.of(), null);
  }

  public boolean isLearned() {
    return learner != null;
  }

  /** This pipeline, routing between {@code subset} of the fleet only. */
  public PipelineDefinition restrictedTo(List<String> subset) {
    return new PipelineDefinition(name, description, strategy, fixedPlanner, learner, subset, reward, recordedIds,
        start);
  }

  /** This learned pipeline, taking {@code signal} as the reward where no feedback comes. */
  public PipelineDefinition withReward(RewardSignal signal) {
    if (signal.fromSignal() && !isLearned()) {
      throw new IllegalArgumentException("pipeline " + name + " learns nothing: a reward signal needs a learner");
    }
    return new PipelineDefinition(name, description, strategy, fixedPlanner, learner, models, signal, recordedIds,
        start);
  }

  /** This pipeline, whose models are recorded under {@code ids} (fleet id to recorded id). */
  public PipelineDefinition withRecordedIds(Map<String, String> ids) {
    return new PipelineDefinition(name, description, strategy, fixedPlanner, learner, models, reward, ids, start);
  }

  /** This learned pipeline, starting from {@code from} rather than as its learner is built. */
  public PipelineDefinition startingFrom(Start from) {
    return new PipelineDefinition(name, description, strategy, fixedPlanner, learner, models, reward, recordedIds,
        from);
  }

  /** A fresh instance of this learned pipeline's learner in its starting state (restored from {@link #start}). */
  public OnlineLearner startingLearner() {
    OnlineLearner l = learner.get();
    if (start != null) {
      l.restore(start.snapshot());
    }
    return l;
  }

  /** A model's id in recorded data. */
  public String recordedId(String model) {
    return recordedIds.getOrDefault(model, model);
  }
}
