package dev.switchyard.actors;

import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;

/** What a streaming caller sees: each recorded step as it happens, then the result. */
public sealed interface QueryProgress {
  record StepRecorded(String queryId, EpisodeStep step) implements QueryProgress {}

  record Finished(QueryResult result) implements QueryProgress {}
}
