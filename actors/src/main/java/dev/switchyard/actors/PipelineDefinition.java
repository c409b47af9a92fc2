package dev.switchyard.actors;

import dev.switchyard.actors.learn.RewardSignal;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.Planner;
import java.util.List;
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
 */
public record PipelineDefinition(String name, String description, StrategyInfo strategy, Planner fixedPlanner,
    Supplier<OnlineLearner> learner, List<String> models, RewardSignal reward) {
  public PipelineDefinition {
    Objects.requireNonNull(name, "name");
    reward = reward == null ? RewardSignal.FEEDBACK_ONLY : reward;
    models = models == null ? List.of() : List.copyOf(models);
    Objects.requireNonNull(strategy, "strategy");
    if ((fixedPlanner == null) == (learner == null)) {
      throw new IllegalArgumentException("pipeline " + name + ": give exactly one of a fixed planner or a learner");
    }
  }

  public static PipelineDefinition fixed(String name, String description, StrategyInfo info, Planner planner) {
    return new PipelineDefinition(name, description, info, planner, null, List.of(), RewardSignal.FEEDBACK_ONLY);
  }

  public static PipelineDefinition learned(String name, String description, Supplier<OnlineLearner> learner) {
    return new PipelineDefinition(name, description, learner.get().info(), null, learner, List.of(), RewardSignal.FEEDBACK_ONLY);
  }

  public boolean isLearned() {
    return learner != null;
  }

  /** This pipeline, routing between {@code subset} of the fleet only. */
  public PipelineDefinition restrictedTo(List<String> subset) {
    return new PipelineDefinition(name, description, strategy, fixedPlanner, learner, subset, reward);
  }

  /** This learned pipeline, taking {@code signal} as the reward where no feedback comes. */
  public PipelineDefinition withReward(RewardSignal signal) {
    if (signal.fromSignal() && !isLearned()) {
      throw new IllegalArgumentException("pipeline " + name + " learns nothing: a reward signal needs a learner");
    }
    return new PipelineDefinition(name, description, strategy, fixedPlanner, learner, models, signal);
  }
}
