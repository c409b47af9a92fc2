package dev.switchyard.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * What the engine knows about a model before calling it. Routers conditioned on cards (rather than on model
 * ids) can use a model added later without retraining.
 *
 * @param inputUsdPerMTok price per million input tokens
 * @param outputUsdPerMTok price per million output tokens
 * @param meanLatencyMs typical end-to-end latency of one call
 * @param joulesPerToken energy estimate per processed token (model-card estimate, see docs)
 * @param descriptors free-form numeric descriptors, e.g. {@code params_b}, {@code prior_quality},
 *     {@code strength:math}
 */
public record ModelCard(
    String id,
    double inputUsdPerMTok,
    double outputUsdPerMTok,
    int contextWindow,
    double meanLatencyMs,
    double joulesPerToken,
    Map<String, Double> descriptors)
    implements CrossNode {
  public ModelCard {
    Objects.requireNonNull(id, "id");
    descriptors = descriptors == null ? Map.of() : Map.copyOf(descriptors);
  }

  public double descriptor(String name, double fallback) {
    return descriptors.getOrDefault(name, fallback);
  }

  /** Expected price of a call with the given token counts. */
  public double priceUsd(int inputTokens, int outputTokens) {
    return (inputTokens * inputUsdPerMTok + outputTokens * outputUsdPerMTok) / 1_000_000.0;
  }
}
