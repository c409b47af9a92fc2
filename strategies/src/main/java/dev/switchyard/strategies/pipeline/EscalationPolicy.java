package dev.switchyard.strategies.pipeline;

import dev.switchyard.strategies.plan.PlanState;

/**
 * Stage 3: decide what to do with the latest answer given the verifier's confidence and the pre-router's
 * ranking: accept, escalate, aggregate or abstain.
 */
@FunctionalInterface
public interface EscalationPolicy {
  Escalation decide(PlanState state, double confidence, RouteDecision route);
}
