package dev.switchyard.actors.query;

import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.QueryResult;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A durable query whose journal cannot be written: its caller is refused at once (JOURNAL_UNAVAILABLE, ask again)
 * instead of waiting out the answer timeout, nothing runs unrecorded, and once the journal is back the same id
 * succeeds, also when the write that failed was the record of a model's answer.
 */
@ExtendWith(LogCapturingExtension.class)
class QueryJournalFailureTest {

  @Test
  void aDurableQueryWhoseAcceptanceCannotBeJournaledIsRefusedAtOnceAndCanBeSubmittedAgain() throws Exception {
    Config config = PersistenceTestKitPlugin.config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(EngineHarness.config("switchyard.persistence.create-schema = off\n"
            + "switchyard.engine.answer-timeout = 20s\n"));
    TestBackend model = TestBackend.answering("first", "4", 0.95, 0.001, 1.0);
    TestBackend other = TestBackend.answering("second", "4", 0.95, 0.01, 1.0);
    try (EngineHarness node = EngineHarness.start("query-journal", config, EngineHarness.cascadeSetup(model, other))) {
      PersistenceTestKit journal = PersistenceTestKit.create(node.kit.system());
      journal.failNextNPersisted("query|unrecorded", 1_000);

      ExecutionException failed = assertThrows(ExecutionException.class, () -> node.await(node.engine.answer(
          query("unrecorded", Budget.unlimited()), "cascade", Durability.DURABLE)));
      EngineRejection rejection = assertInstanceOf(EngineRejection.class, failed.getCause());
      assertEquals(EngineRejection.Reason.JOURNAL_UNAVAILABLE, rejection.reason(), rejection.getMessage());
      assertTrue(rejection.getMessage().contains("was not accepted"), rejection.getMessage());
      assertEquals(0, model.totalCalls.get() + other.totalCalls.get(), "nothing ran unrecorded");

      journal.resetPolicy();
      QueryResult r = node.kit.createTestProbe().awaitAssert(EngineHarness.WAIT, () -> node.await(
          node.engine.answer(query("unrecorded", Budget.unlimited()), "cascade", Durability.DURABLE)));
      assertEquals("4", r.answer());
    }
  }

  /**
   * The chaos suite's T2-5 (PostgreSQL stopped under load) lost a job this way: a model answered, the write of that
   * answer failed, and the query restarted and recovered with the call still pending. The call had been sent by
   * the same driver before its restart, so on resume it took the call for one still in flight and waited for an
   * answer that had already come and gone: the query, and the job whose step it was, never ended. A restart now
   * forgets the call in flight, so the recovered query sends it again with the same attempt id.
   */
  @Test
  void aQueryWhoseAnswerCouldNotBeJournaledAsksTheModelAgainAndEndsBilledOnce() throws Exception {
    Config config = PersistenceTestKitPlugin.config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(EngineHarness.config("switchyard.persistence.create-schema = off\n"
            + "switchyard.engine.answer-timeout = 10s\n"));
    TestBackend model = TestBackend.delayed("first", 500, "4", 0.95);
    TestBackend other = TestBackend.answering("second", "4", 0.95, 0.01, 1.0);
    try (EngineHarness node = EngineHarness.start("answer-lost", config, EngineHarness.cascadeSetup(model, other))) {
      PersistenceTestKit journal = PersistenceTestKit.create(node.kit.system());
      var first = node.engine.answer(query("answer-lost", Budget.unlimited()), "cascade", Durability.DURABLE)
          .toCompletableFuture();
      // The call is sent after its route is journaled: the query's next write is the answer's record.
      node.kit.createTestProbe().awaitAssert(EngineHarness.WAIT, () -> {
        assertEquals(1, model.totalCalls.get());
        return null;
      });
      journal.failNextPersisted("query|answer-lost");

      ExecutionException refused = assertThrows(ExecutionException.class, () -> node.await(first));
      assertEquals(EngineRejection.Reason.JOURNAL_UNAVAILABLE,
          assertInstanceOf(EngineRejection.class, refused.getCause()).reason(), refused.getCause().getMessage());
      QueryResult r = node.kit.createTestProbe().awaitAssert(EngineHarness.WAIT, () -> node.await(
          node.engine.answer(query("answer-lost", Budget.unlimited()), "cascade", Durability.DURABLE)));

      assertEquals("4", r.answer());
      String attempt = QueryRun.attemptId("answer-lost", 1);
      assertEquals(2, model.called(attempt), "the call whose answer was not journaled is sent again, same attempt");
      assertEquals(0, other.totalCalls.get());
      assertEquals(0.001, r.costUsd(), 1e-12, "billed once: only the journaled answer counts");
    }
  }
}
