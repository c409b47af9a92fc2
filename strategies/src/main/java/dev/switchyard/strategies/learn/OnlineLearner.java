package dev.switchyard.strategies.learn;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.plan.Planner;

/**
 * A policy that learns online from finished episodes (bandits, RL). In the engine one instance lives in the
 * learner singleton and calls {@link #learn}; it publishes {@link #snapshot}s, and every node keeps its own
 * instance on which it calls {@link #restore} and decides with {@link #planner()}. Offline, the evaluator
 * alternates {@code planner().next(...)} and {@code learn(...)} on one instance.
 *
 * <p>Contract: {@code restore(snapshot(v))} on a fresh instance yields a learner that decides exactly as the
 * original, so a singleton hand-over or restart loses no learning.
 */
public interface OnlineLearner {
  StrategyInfo info();

  /** Decides with the current parameters; randomness (exploration) is seeded from the query id. */
  Planner planner();

  /** Updates from one finished episode; episodes without a score are ignored. */
  void learn(Episode episode);

  /** How many episodes changed the parameters so far. */
  long episodesLearned();

  PolicySnapshot snapshot(long version, long createdAtMillis);

  void restore(PolicySnapshot snapshot);
}
