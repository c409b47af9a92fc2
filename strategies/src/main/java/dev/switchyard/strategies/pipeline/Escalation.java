package dev.switchyard.strategies.pipeline;

import java.util.Objects;

/** Stage 3's verdict on the latest answer. */
public sealed interface Escalation {
  /** Return the latest answer. */
  record Accept() implements Escalation {}

  /** Call another model. */
  record EscalateTo(String modelId) implements Escalation {
    public EscalateTo {
      Objects.requireNonNull(modelId, "modelId");
    }
  }

  /** Combine the answers gathered so far. */
  record Aggregate() implements Escalation {}

  /** Give no answer. */
  record Abstain(String reason) implements Escalation {}

  static Escalation accept() {
    return new Accept();
  }
}
