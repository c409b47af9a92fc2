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
 * @param toolCalls the tools the model asked to call ({@code tool_calls}), as the compact JSON array the backend
 *     returned; null when it asked for none. Responses journaled before it existed read as null.
 * @param finishReason why the model stopped ({@code stop}, {@code length}, {@code tool_calls},
 *     {@code content_filter}), as the backend said; null when it did not say
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
    String note,
    String toolCalls,
    String finishReason)
    implements CrossNode {
  public Response {
    Objects.requireNonNull(modelId, "modelId");
    text = text == null ? "" : text;
  }

  /** A text answer without tool calls or finish reason (what simulated backends give). */
  public Response(String modelId, String text, int inputTokens, int outputTokens, double latencyMs, double costUsd,
      double energyJoules, Double confidence, Double referenceScore, String note) {
    this(modelId, text, inputTokens, outputTokens, latencyMs, costUsd, energyJoules, confidence, referenceScore,
        note, null, null);
  }
}
