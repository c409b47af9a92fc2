package dev.switchyard.protocol;

import java.util.Objects;

/**
 * One decision or model call of an episode.
 *
 * @param round the model-call round this step belongs to (0 before the first call)
 * @param modelId the model concerned, or null for steps that concern none
 * @param decision a short machine-readable description, e.g. {@code "accept"} or {@code "escalate:gpt-4o"}
 * @param signal the number the decision was based on (a router score, a verifier confidence), NaN if none
 * @param response the model's answer for GENERATE steps, null otherwise
 */
public record EpisodeStep(int round, Stage stage, String modelId, String decision, double signal, Response response)
    implements CrossNode {
  public EpisodeStep {
    Objects.requireNonNull(stage, "stage");
    decision = decision == null ? "" : decision;
  }

  public static EpisodeStep decision(int round, Stage stage, String modelId, String decision, double signal) {
    return new EpisodeStep(round, stage, modelId, decision, signal, null);
  }

  public static EpisodeStep generated(int round, Response response) {
    return new EpisodeStep(round, Stage.GENERATE, response.modelId(), "answered", Double.NaN, response);
  }
}
