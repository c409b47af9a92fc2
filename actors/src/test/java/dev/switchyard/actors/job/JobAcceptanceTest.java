package dev.switchyard.actors.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A job is reported accepted only after its acceptance is journaled: a failing journal write is refused at once
 * (JOURNAL_UNAVAILABLE), not at the ask timeout, and the same job can be submitted again once the journal writes.
 */
@ExtendWith(LogCapturingExtension.class)
class JobAcceptanceTest {

  @Test
  void aJobWhoseAcceptanceCannotBeJournaledIsNotReportedAcceptedAndCanBeResubmitted() throws Exception {
    Config config = PersistenceTestKitPlugin.config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(EngineHarness.config("switchyard.persistence.create-schema = off\n"
            + "switchyard.job.ask-timeout = 30s\n"));
    TestBackend model = TestBackend.answering("first", "4", 0.95, 0.001, 1.0);
    TestBackend other = TestBackend.answering("second", "4", 0.95, 0.01, 1.0);
    try (EngineHarness node = EngineHarness.start("job-acceptance", config, EngineHarness.cascadeSetup(model, other))) {
      PersistenceTestKit journal = PersistenceTestKit.create(node.kit.system());
      journal.failNextNPersisted(JobActor.persistenceId("broken").id(), 1_000);
      JobSpec spec = new JobSpec("broken", "cascade", List.of(List.of(ChatMessage.user("sure?"))), null,
          Budget.unlimited());

      // Within 5 s, far below the 30 s ask timeout: the failed write itself answers the caller.
      ExecutionException failed = assertThrows(ExecutionException.class,
          () -> node.engine.submitJob(spec).toCompletableFuture().get(5, TimeUnit.SECONDS));
      EngineRejection rejection = assertInstanceOf(EngineRejection.class, failed.getCause());
      assertEquals(EngineRejection.Reason.JOURNAL_UNAVAILABLE, rejection.reason(), rejection.getMessage());
      assertTrue(rejection.getMessage().contains("could not be journaled and was not accepted"),
          rejection.getMessage());
      assertEquals(0, model.totalCalls.get(), "nothing ran");
      ExecutionException unknown = assertThrows(ExecutionException.class, () -> node.await(node.engine.job("broken")));
      assertEquals(EngineRejection.Reason.NOT_FOUND, ((EngineRejection) unknown.getCause()).reason());

      journal.resetPolicy();
      TestProbe<Object> probe = node.kit.createTestProbe();
      JobActor.Accepted accepted = probe.awaitAssert(EngineHarness.WAIT, () -> node.await(node.engine.submitJob(spec)));
      assertEquals("broken", accepted.job().id());
      JobView done = probe.awaitAssert(EngineHarness.WAIT, () -> {
        JobView v = node.await(node.engine.job("broken"));
        assertEquals(JobStatus.SUCCEEDED, v.status());
        return v;
      });
      assertEquals("4", done.answer());
    }
  }
}
