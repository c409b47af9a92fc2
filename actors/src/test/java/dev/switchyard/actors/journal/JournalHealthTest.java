package dev.switchyard.actors.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineRejection;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The journal's health as the engine reads it: down at once on a failed write, up only after a probe that
 * started after the last failure, and callers waiting on the journal refused the moment it goes down (or, for
 * one entity, the moment its recovery fails) instead of at their timeout.
 */
@ExtendWith(LogCapturingExtension.class)
class JournalHealthTest {
  private JournalHealth health;
  private final AtomicInteger probesAsked = new AtomicInteger();

  @BeforeEach
  void probed() {
    health = new JournalHealth(Clock.systemUTC(), Duration.ofSeconds(2));
    health.onProbeRequest(probesAsked::incrementAndGet);
  }

  @Test
  void aFailedWriteMarksTheJournalDownAtOnceAndAsksForAProbe() {
    assertTrue(health.writable());

    health.writeFailed("job/a", "disk full");

    assertFalse(health.writable());
    assertTrue(health.status().reason().contains("job/a"), health.status().reason());
    assertTrue(health.status().reason().contains("disk full"), health.status().reason());
    assertEquals(1, probesAsked.get());
    EngineRejection refusal = health.unavailable("job b was not accepted");
    assertEquals(EngineRejection.Reason.JOURNAL_UNAVAILABLE, refusal.reason());
    assertEquals(Duration.ofSeconds(2), refusal.retryAfter());
    assertTrue(refusal.getMessage().startsWith("job b was not accepted: the journal cannot write"),
        refusal.getMessage());
  }

  @Test
  void onlyAProbeThatStartedAfterTheLastFailureMarksTheJournalUp() {
    long before = health.probeStarting();
    health.writeFailed("query/q", null);
    health.probeSucceeded(before); // began before the failure: proves nothing about it

    assertFalse(health.writable());

    long after = health.probeStarting();
    health.probeSucceeded(after);

    assertTrue(health.writable());
  }

  @Test
  void aFailedProbeKeepsItDownWithTheProbesReasonAndTheTimeItWentDown() {
    health.probeFailed("a probe write failed: out of disk space (No space left on device)");
    var since = health.status().since();
    health.probeFailed("a probe write failed: closed (The database has been closed)");

    assertFalse(health.writable());
    assertEquals(since, health.status().since(), "down since the first failure");
    assertTrue(health.status().reason().contains("closed"), health.status().reason());
  }

  @Test
  void callersWaitingOnAWriteAreRefusedTheMomentTheJournalGoesDownButReadsAreNot() throws Exception {
    CompletableFuture<String> submit = new CompletableFuture<>();
    CompletableFuture<String> status = new CompletableFuture<>();
    CompletionStage<String> guardedSubmit = health.guard("job/a", true, "job a was not accepted", submit);
    CompletionStage<String> guardedStatus = health.guard("job/b", false, "status of job b", status);

    health.probeFailed("a probe write failed: read-only (The database is read only)");

    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> guardedSubmit.toCompletableFuture().get(1, TimeUnit.SECONDS));
    EngineRejection r = assertInstanceOf(EngineRejection.class, refused.getCause());
    assertEquals(EngineRejection.Reason.JOURNAL_UNAVAILABLE, r.reason());
    assertTrue(r.getMessage().contains("read-only"), r.getMessage());
    assertFalse(guardedStatus.toCompletableFuture().isDone(), "a read is answered from the entity, if it can");

    status.complete("running");
    assertEquals("running", guardedStatus.toCompletableFuture().get(1, TimeUnit.SECONDS));
    assertEquals(0, health.waiting(), "no caller lingers once answered or refused");
  }

  @Test
  void aCallerThatRegistersWhileTheJournalIsDownIsRefusedWithoutWaiting() {
    health.writeFailed("job/x", null);

    CompletionStage<String> guarded = health.guard("job/y", true, "job y was not accepted", new CompletableFuture<>());

    assertTrue(guarded.toCompletableFuture().isCompletedExceptionally());
    assertEquals(0, health.waiting());
  }

  @Test
  void aFailedRecoveryRefusesOnlyThatEntitysCallersAndLeavesTheJournalUp() throws Exception {
    CompletableFuture<String> broken = new CompletableFuture<>();
    CompletableFuture<String> other = new CompletableFuture<>();
    CompletionStage<String> brokenGet = health.guard("job/broken", false, "status of job broken", broken);
    CompletionStage<String> otherGet = health.guard("job/other", false, "status of job other", other);

    health.recoveryFailed("job/broken", "corrupted (Block not found in id [1, 2])");

    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> brokenGet.toCompletableFuture().get(1, TimeUnit.SECONDS));
    assertTrue(refused.getCause().getMessage().contains("its journal cannot be read (corrupted"),
        refused.getCause().getMessage());
    assertFalse(otherGet.toCompletableFuture().isDone());
    assertTrue(health.writable(), "one entity's unreadable journal: the probe decides about the whole journal");
    assertEquals(1, probesAsked.get());
    other.complete("ok");
    assertEquals(0, health.waiting());
  }

  @Test
  void withoutAProbeAFailedWriteDoesNotMarkTheJournalDownForever() {
    JournalHealth unprobed = new JournalHealth(Clock.systemUTC(), Duration.ofSeconds(1));

    unprobed.writeFailed("query/q", null);

    assertTrue(unprobed.writable(), "nothing could mark it up again");
  }
}
