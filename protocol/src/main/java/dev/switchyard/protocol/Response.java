package dev.switchyard.protocol;

import java.util.Objects;

/**
 * One model call's answer.
 *
 * @param confidence the model's own confidence signal if the backend gives one (e.g. a log-probability,
 *     higher = surer); null otherwise
 * @param referenceScore the recorded correctness of this answer, known only when a simulated backend replays
 *     recorded outcomes; null for real backends. Learners use it as feedback in simulation; routing never does.
 * @param note backend remark, e.g. that a replay used the nearest recorded prompt; null when none
 */
public record Response(
    String modelId,
    String text,
    int inputTokens,
    int outputTokens,
    double latencyMs,
    double costUsd,
    double energyJoules,
    Double confidence,
    Double referenceScore,
    String note)
    implements CrossNode {
  public Response {
    Objects.requireNonNull(modelId, "modelId");
    text = text == null ? "" : text;
  }
}
