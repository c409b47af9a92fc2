package dev.switchyard.actors;

import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;

/**
 * What a streaming caller sees: each recorded step as it happens, the answer's text while a model generates it
 * (where the pipeline takes that model's answer as it comes), then the result.
 */
public sealed interface QueryProgress {
  record StepRecorded(String queryId, EpisodeStep step) implements QueryProgress {}

  /**
   * A piece of the answer of call {@code attemptNo}, in generation order: the pieces of a call are a prefix of
   * its answer; {@link Finished} holds the whole answer (pieces the stream may have missed included).
   */
  record TokensArrived(String queryId, int attemptNo, String modelId, String text) implements QueryProgress {}

  record Finished(QueryResult result) implements QueryProgress {}
}
