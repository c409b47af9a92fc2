package dev.switchyard.strategies.plan;

/**
 * Chooses the next action of a query's plan from its state: the single interface the engine drives. A
 * one-shot router routes once and answers; a cascade routes, verifies and escalates; a multi-round planner
 * (Router-R1, R2-Reasoner) thinks, routes sub-queries and aggregates.
 *
 * <p>Contract: pure and deterministic in the state (randomness seeded from the query id), so that a durable
 * query replays to the same decisions after a crash; never routes when {@link PlanState#budgetExhausted()}
 * (the driver enforces it anyway and forces an answer from what it has); answers or abstains eventually.
 */
@FunctionalInterface
public interface Planner {
  PlanAction next(PlanState state);
}
