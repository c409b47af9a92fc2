package dev.switchyard.actors.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.SQLException;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What an operator is told about a JDBC failure: its kind from the whole cause chain, on one line. */
@ExtendWith(LogCapturingExtension.class)
class JournalFaultTest {

  @Test
  void theInnermostIoErrorDecidesADiskFullBehindH2sGeneralError() {
    SQLException h2 = new SQLException("General error: \"org.h2.mvstore.MVStoreException: Writing to x failed\""
        + " [50000-252]\nSQL statement:\nCOMMIT", "HY000", 50000,
        new IllegalStateException("Writing to x failed; length 16384 at 40960 [2.5.252/2]",
            new IOException("No space left on device")));

    JournalFault fault = JournalFault.of(h2);

    assertEquals(JournalFault.Kind.DISK_FULL, fault.kind());
    assertEquals("H2/SQL error 50000: No space left on device", fault.detail());
  }

  @Test
  void h2ErrorCodesNameLockedReadOnlyCorruptedAndClosed() {
    assertEquals(JournalFault.Kind.LOCKED, JournalFault.of(new SQLException("Database may be already in use",
        "90020", 90020)).kind());
    assertEquals(JournalFault.Kind.READ_ONLY, JournalFault.of(new SQLException("The database is read only",
        "90097", 90097)).kind());
    assertEquals(JournalFault.Kind.CORRUPTED, JournalFault.of(new SQLException("File corrupted while reading",
        "90030", 90030)).kind());
    assertEquals(JournalFault.Kind.CLOSED, JournalFault.of(new SQLException("The database has been closed",
        "90098", 90098)).kind());
    assertEquals(JournalFault.Kind.CORRUPTED, JournalFault.of(new SQLException("General error", "HY000", 50000,
        new IllegalStateException("Block not found in id [-1, -18, 0] [2.5.252/50]"))).kind());
  }

  @Test
  void theLineNamesTheJournalTheReasonAndWhatToDoWithoutH2sSuffixesOrNewlines() {
    JournalFault fault = JournalFault.of(new SQLException("Database may be already in use: \"/var/journal.mv.db\"."
        + " Possible solutions: close all other connection(s); use the server mode [90020-252]\nmore", "90020",
        90020));

    String line = fault.describe("the journal /var/journal.mv.db");

    assertTrue(line.startsWith("the journal /var/journal.mv.db is locked by another process (H2/SQL error 90020:"),
        line);
    assertTrue(line.contains("stop the other process"), line);
    assertFalse(line.contains("[90020-252]"), line);
    assertFalse(line.contains("\n"), line);
  }

  @Test
  void anUnknownFailureIsUnusableWithItsMessage() {
    JournalFault fault = JournalFault.of(new SQLException("password authentication failed for user \"sa\"",
        "28P01", 0));

    assertEquals(JournalFault.Kind.UNUSABLE, fault.kind());
    assertEquals("password authentication failed for user \"sa\"", fault.detail());
  }
}
