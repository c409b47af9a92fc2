package dev.switchyard.strategies.plan;

import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Stage;

/**
 * A decision a planner took on its way to an action (a router score, a verifier's confidence, an escalation),
 * recorded in the episode so that every choice is explainable afterwards.
 */
public record Decision(Stage stage, String modelId, String decision, double signal) {
  public static Decision of(Stage stage, String modelId, String decision, double signal) {
    return new Decision(stage, modelId, decision, signal);
  }

  public EpisodeStep toStep(int round) {
    return EpisodeStep.decision(round, stage, modelId, decision, signal);
  }
}
