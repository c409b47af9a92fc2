package dev.switchyard.protocol;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The engine's answer to a query, with what it cost and how it was reached.
 *
 * @param answer the answer text, null when the plan abstained
 * @param answerModel the model credited with the answer, null when abstained
 * @param modelsCalled every model called, in order (a model called twice appears twice)
 * @param rounds model calls made
 * @param abstainReason why no answer was given, null when answered
 * @param episode the full record of decisions and calls
 */
public record QueryResult(
    String queryId,
    String pipeline,
    String answer,
    String answerModel,
    List<String> modelsCalled,
    int rounds,
    double costUsd,
    double latencyMs,
    int inputTokens,
    int outputTokens,
    String abstainReason,
    Episode episode)
    implements CrossNode {
  public QueryResult {
    Objects.requireNonNull(queryId, "queryId");
    modelsCalled = List.copyOf(modelsCalled);
  }

  public boolean abstained() {
    return answer == null;
  }

  /**
   * The model call whose answer was returned verbatim: the last call of {@code answerModel} whose text is the
   * answer. Its tool calls and finish reason are the answer's. Empty when the query abstained or the answer was
   * composed by the pipeline (e.g. aggregated from several calls).
   */
  public Optional<Response> answerCall() {
    if (answer == null || answerModel == null || episode == null) {
      return Optional.empty();
    }
    List<Response> calls = episode.calls();
    for (int i = calls.size() - 1; i >= 0; i--) {
      Response r = calls.get(i);
      if (r.modelId().equals(answerModel) && r.text().equals(answer)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
