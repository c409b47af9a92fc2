package dev.switchyard.actors;

import org.apache.pekko.actor.typed.ActorSystem;

/** Boots the engine on one node: sharding for queries and pools, learner singletons, the policy board. */
public final class EngineNode {
  private EngineNode() {}

  public static Engine start(ActorSystem<?> system, EngineSetup setup) {
    throw new IllegalStateException("SCAFFOLD: EngineNode.start is implemented by the actors slice");
  }
}
