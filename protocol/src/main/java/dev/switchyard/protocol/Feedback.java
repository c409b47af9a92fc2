package dev.switchyard.protocol;

import java.util.Objects;

/** A reward for a finished query or job, given after the fact (by a user, a grader or a replay). */
public record Feedback(String queryId, double reward, String source) implements CrossNode {
  public Feedback {
    Objects.requireNonNull(queryId, "queryId");
    source = source == null ? "user" : source;
  }
}
