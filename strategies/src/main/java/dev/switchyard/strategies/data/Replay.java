package dev.switchyard.strategies.data;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;

/**
 * Turns a recorded outcome into the {@link Response} a model would have given: its answer, tokens, cost,
 * latency and confidence as recorded, and the recorded score as the reference score. The offline evaluator
 * and the simulated backends both use it, so simulation and evaluation replay the same facts.
 */
public final class Replay {
  private Replay() {}

  public static Response response(RecordedQuery query, String modelId, ModelCard card, String note) {
    RecordedOutcome o = query.outcome(modelId);
    int tokens = o.inTokens() + o.outTokens();
    double energy = card == null ? 0 : card.joulesPerToken() * tokens;
    return new Response(modelId, o.answer(), o.inTokens(), o.outTokens(),
        o.hasLatency() ? o.latencyMs() : 0, o.costUsd(), energy,
        o.hasConfidence() ? o.confidence() : null, o.score(), note);
  }
}
