package dev.switchyard.protocol;

import java.util.Objects;

/**
 * A reward for a finished query or job, given after the fact (by a user, a grader or a replay). A query takes
 * one: a second is refused unless {@code replace} is set, and a replacement is recorded on the query without
 * being learned again (learners cannot undo an update, so a query counts once, with its first reward).
 */
public record Feedback(String queryId, double reward, String source, boolean replace) implements CrossNode {
  public Feedback {
    Objects.requireNonNull(queryId, "queryId");
    source = source == null ? "user" : source;
  }

  /** A first reward (not a replacement). */
  public Feedback(String queryId, double reward, String source) {
    this(queryId, reward, source, false);
  }
}
