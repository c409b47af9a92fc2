package dev.switchyard.actors.journal;

import java.time.Instant;

/**
 * Whether this node's journal takes writes, as {@link JournalHealth} last saw it.
 *
 * @param reason why it cannot write (null while it can)
 * @param since when it last changed between writable and not
 */
public record JournalStatus(boolean writable, String reason, Instant since) {
  public static JournalStatus writable(Instant since) {
    return new JournalStatus(true, null, since);
  }

  public static JournalStatus down(String reason, Instant since) {
    return new JournalStatus(false, reason, since);
  }
}
