package dev.switchyard.actors;

import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.QueryResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An entity that cannot read its journal (its recovery fails, and it restarts with backoff while the commands
 * sent to it wait in its stash): its callers are refused at once with JOURNAL_UNAVAILABLE saying so, instead of
 * waiting out their timeouts, and once the journal reads again the same ids work.
 */
@ExtendWith(LogCapturingExtension.class)
class JournalRecoveryFailureTest {

  @Test
  void callersOfAJobOrDurableQueryThatCannotRecoverAreRefusedAtOnce() throws Exception {
    // Every entity that fails its recovery here (the shadow registry too, restarting with backoff) counts
    // against the snapshot store's circuit breaker, which then fails fast for its reset-timeout (60 s by
    // default) after the table is back: shortened so the recovery half of this test fits in its wait.
    Config config = EngineHarness.config("switchyard.job.ask-timeout = 30s\n"
        + "switchyard.engine.answer-timeout = 30s\n"
        + "jdbc-snapshot-store.circuit-breaker.reset-timeout = 2s\n"
        + "jdbc-journal.circuit-breaker.reset-timeout = 2s\n");
    TestBackend model = TestBackend.answering("first", "4", 0.95, 0.001, 1.0);
    TestBackend other = TestBackend.answering("second", "4", 0.95, 0.01, 1.0);
    try (EngineHarness node = EngineHarness.start("journal-recovery", config, EngineHarness.cascadeSetup(model, other))) {
      // Recovery reads the snapshot table first: without it (renamed away in the journal's own H2 database)
      // every entity that starts fails its recovery, as with a damaged file.
      String url = node.kit.system().settings().config().getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
      try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
        st.execute("ALTER TABLE \"snapshot\" RENAME TO \"snapshot_away\"");
      }

      // Within 5 s, far below the 30 s timeouts the callers would otherwise wait out.
      ExecutionException job = assertThrows(ExecutionException.class,
          () -> node.engine.job("unreadable").toCompletableFuture().get(5, TimeUnit.SECONDS));
      EngineRejection jobRefusal = assertInstanceOf(EngineRejection.class, job.getCause());
      assertEquals(EngineRejection.Reason.JOURNAL_UNAVAILABLE, jobRefusal.reason(), jobRefusal.getMessage());
      assertTrue(jobRefusal.getMessage().contains("its journal cannot be read"), jobRefusal.getMessage());

      ExecutionException answer = assertThrows(ExecutionException.class, () -> node.engine.answer(
              query("unreadable-query", Budget.unlimited()), "cascade", Durability.DURABLE)
          .toCompletableFuture().get(5, TimeUnit.SECONDS));
      EngineRejection answerRefusal = assertInstanceOf(EngineRejection.class, answer.getCause());
      assertEquals(EngineRejection.Reason.JOURNAL_UNAVAILABLE, answerRefusal.reason(), answerRefusal.getMessage());
      assertEquals(0, model.totalCalls.get() + other.totalCalls.get(), "nothing ran unrecorded");

      try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
        st.execute("ALTER TABLE \"snapshot_away\" RENAME TO \"snapshot\"");
      }
      var probe = node.kit.createTestProbe();
      ExecutionException unknown = probe.awaitAssert(EngineHarness.WAIT, () -> {
        ExecutionException e = assertThrows(ExecutionException.class, () -> node.await(node.engine.job("unreadable")));
        assertEquals(EngineRejection.Reason.NOT_FOUND, ((EngineRejection) e.getCause()).reason(), e.getCause().getMessage());
        return e;
      });
      assertTrue(unknown.getCause().getMessage().contains("no job unreadable"));
      QueryResult r = probe.awaitAssert(EngineHarness.WAIT, () -> node.await(node.engine.answer(
          query("unreadable-query", Budget.unlimited()), "cascade", Durability.DURABLE)));
      assertEquals("4", r.answer());
    }
  }
}
