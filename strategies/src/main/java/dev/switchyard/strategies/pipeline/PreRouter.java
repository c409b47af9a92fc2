package dev.switchyard.strategies.pipeline;

import dev.switchyard.strategies.plan.PlanState;

/** Stage 1 of the control pipeline: choose models before any generation, from the query and the model cards. */
@FunctionalInterface
public interface PreRouter {
  RouteDecision route(PlanState state);
}
