package dev.switchyard.protocol;

import java.util.Objects;

/**
 * A reward for a finished query or job, given after the fact (by a user, a grader or a replay). A query takes
 * one: a second is refused unless {@code replace} is set, and a replacement is recorded on the query without
 * being learned again (learners cannot undo an update, so a query counts once, with its first reward).
 * {@code tenant} is the tenant whose API key sent it, null without API keys: only the tenant that asked the query
 * may rate it ({@link #from}).
 */
public record Feedback(String queryId, double reward, String source, boolean replace, String tenant)
    implements CrossNode {
  public Feedback {
    Objects.requireNonNull(queryId, "queryId");
    source = source == null ? "user" : source;
  }

  /** A feedback of no tenant (a node without API keys). */
  public Feedback(String queryId, double reward, String source, boolean replace) {
    this(queryId, reward, source, replace, null);
  }

  /**
   * Whether a query asked by {@code queryTenant} may take this feedback: only from the tenant that asked it (both
   * null without API keys). Any other is refused as if the query did not exist, so nobody learns which ids do.
   */
  public boolean from(String queryTenant) {
    return Objects.equals(tenant, queryTenant);
  }

  /** A first reward (not a replacement). */
  public Feedback(String queryId, double reward, String source) {
    this(queryId, reward, source, false);
  }
}
