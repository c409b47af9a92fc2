package dev.switchyard.actors.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineRejection;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an entity's journal failures tell {@link JournalHealth}: a failed recovery refuses that entity's callers
 * with the fault, a restart after a failed write marks the journal down, a restart after a failed recovery does
 * not.
 */
@ExtendWith(LogCapturingExtension.class)
class JournalFailuresTest {
  private static final EntityTypeKey<String> JOB = EntityTypeKey.create(String.class, "job");

  private JournalHealth health;
  private final AtomicInteger probesAsked = new AtomicInteger();
  private JournalFailures failures;

  @BeforeEach
  void probed() {
    health = new JournalHealth(Clock.systemUTC(), Duration.ofSeconds(2));
    health.onProbeRequest(probesAsked::incrementAndGet);
    failures = new JournalFailures(health, JOB, "a");
  }

  private static RecoveryFailed diskFull() {
    return new RecoveryFailed(new SQLException("General error", "HY000", 50000,
        new IOException("No space left on device")));
  }

  @Test
  void aFailedRecoveryRefusesTheCallersOfThatEntityOnlyWithTheFault() throws Exception {
    CompletionStage<String> ofA = health.guard("job/a", false, "job a was not accepted",
        new CompletableFuture<String>());
    CompletableFuture<String> ofB = health.guard("job/b", false, "job b was not accepted",
        new CompletableFuture<String>()).toCompletableFuture();

    failures.recoveryFailed(diskFull());

    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> ofA.toCompletableFuture().get(1, TimeUnit.SECONDS));
    EngineRejection rejection = assertInstanceOf(EngineRejection.class, refused.getCause());
    assertEquals(EngineRejection.Reason.JOURNAL_UNAVAILABLE, rejection.reason());
    assertTrue(rejection.getMessage().startsWith("job a was not accepted: its journal cannot be read (out of disk"
        + " space ("), rejection.getMessage());
    assertFalse(ofB.isDone(), "another entity's caller waits on");
    assertTrue(health.writable(), "one entity's recovery says nothing about the whole journal");
    assertEquals(1, probesAsked.get(), "the probe says whether the whole journal is down");
  }

  @Test
  void aRestartAfterAFailedWriteMarksTheJournalDown() {
    assertTrue(failures.restarting());

    assertFalse(health.writable());
    assertEquals("a journal write of job/a failed", health.status().reason());
    assertEquals(1, probesAsked.get());
  }

  @Test
  void aRestartAfterAFailedRecoveryIsNotReportedAsAFailedWrite() {
    failures.recoveryFailed(diskFull());

    assertFalse(failures.restarting());

    assertTrue(health.writable());
    assertEquals(1, probesAsked.get(), "only the recovery's probe");
  }

  @Test
  void aWriteThatFailsAfterTheEntityRecoveredIsReportedAsAFailedWrite() {
    failures.recoveryFailed(diskFull());
    assertFalse(failures.restarting(), "the restart that follows the failed recovery");

    assertTrue(failures.restarting(), "a later restart, after a recovery that succeeded, follows a failed write");
    assertFalse(health.writable());
  }

  @Test
  void refusedCallersAreToldTheJournalsRetryAfter() {
    assertEquals(2_000, failures.retryAfterMillis());
  }
}
