package dev.switchyard.actors.journal;

import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.RecoveryFailed;

/**
 * How an event-sourced entity reports its journal failures to {@link JournalHealth}, one instance per entity,
 * called from its {@code RecoveryFailed} and {@code PreRestart} signal handlers. Both lead to a restart with
 * backoff (the entity then recovers and continues; it never resumes past an unwritten event); what differs is
 * who learns of it:
 * <ul>
 *   <li>a failed recovery ({@link #recoveryFailed}): the entity cannot read its journal; the commands sent to it
 *       wait in its stash while it restarts, so their callers are refused at once through {@link JournalHealth}
 *       (with {@code JOURNAL_UNAVAILABLE} and the fault's summary) rather than at their timeout;</li>
 *   <li>a failed write ({@link #restarting} returns true): the journal is marked down at once, which refuses
 *       every caller waiting on a journal write; the entity refuses the callers it holds itself.</li>
 * </ul>
 *
 * <p>Not thread-safe: the entity's actor calls it, from its own signal handlers only. The entity instance, and so
 * this, outlives the entity's internal restarts: a failed recovery is remembered only until the restart that
 * follows it, so a write that fails after a later recovery succeeded is reported as a failed write.
 */
public final class JournalFailures {
  private final JournalHealth health;
  private final String entity;
  /** Why recovery failed, set by the RecoveryFailed signal and cleared by the restart that follows it. */
  private String recoveryFailure;

  public JournalFailures(JournalHealth health, EntityTypeKey<?> type, String entityId) {
    this.health = health;
    this.entity = JournalHealth.entity(type, entityId);
  }

  /** The {@code RecoveryFailed} signal: the entity's waiting callers are refused with the fault's summary. */
  public void recoveryFailed(RecoveryFailed failed) {
    recoveryFailure = JournalFault.of(failed.getFailure()).summary();
    health.recoveryFailed(entity, recoveryFailure);
  }

  /**
   * The {@code PreRestart} signal. A restart follows a journal failure only: a failed recovery (reported by
   * {@link #recoveryFailed}) or a failed write, which this reports (the journal goes down at once).
   *
   * @return true when the restart follows a failed write
   */
  public boolean restarting() {
    if (recoveryFailure != null) {
      recoveryFailure = null;
      return false;
    }
    health.writeFailed(entity, null);
    return true;
  }

  /** How long the callers the entity refuses itself are told to wait before they try again. */
  public long retryAfterMillis() {
    return health.retryAfter().toMillis();
  }
}
