package dev.switchyard.actors;

import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.Planner;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A routing pipeline the engine serves under a name (the {@code model} field of a chat completion, e.g.
 * {@code switchyard/cascade}). Either a fixed planner (a strategy trained offline) or a learned one: then the
 * engine runs a learner singleton with one instance from {@code learner} and keeps one more per node,
 * restored from the published snapshots, to decide with.
 */
public record PipelineDefinition(String name, String description, StrategyInfo strategy, Planner fixedPlanner,
    Supplier<OnlineLearner> learner) {
  public PipelineDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(strategy, "strategy");
    if ((fixedPlanner == null) == (learner == null)) {
      throw new IllegalArgumentException("pipeline " + name + ": give exactly one of a fixed planner or a learner");
    }
  }

  public static PipelineDefinition fixed(String name, String description, StrategyInfo info, Planner planner) {
    return new PipelineDefinition(name, description, info, planner, null);
  }

  public static PipelineDefinition learned(String name, String description, Supplier<OnlineLearner> learner) {
    return new PipelineDefinition(name, description, learner.get().info(), null, learner);
  }

  public boolean isLearned() {
    return learner != null;
  }
}
