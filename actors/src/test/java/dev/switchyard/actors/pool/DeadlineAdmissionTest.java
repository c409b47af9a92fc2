package dev.switchyard.actors.pool;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.cascade;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.QueryResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A query's call carries what is left of its deadline to the pool: with one slot busy on a model measured at
 * about 600 ms a call, a query with 300 ms left is refused at once and the client gets OVERLOADED with a
 * retry-after (max-queue-wait is 30 s here, so only the deadline can refuse it); without the deadline on the
 * call it would sit in the queue and end "deadline exceeded" instead. A query with time to spare is queued and
 * answered.
 */
@ExtendWith(LogCapturingExtension.class)
class DeadlineAdmissionTest {
  @Test
  void aCallThatCannotStartWithinItsQuerysDeadlineIsRefusedAtOnce() throws Exception {
    TestBackend slow = TestBackend.delayed("slow", 600, "4", 0.95);
    Map<String, List<InferenceBackend>> backends = Map.of("slow", List.of(slow));
    EngineSetup setup = new EngineSetup(List.of(card("slow", 1)), backends,
        List.of(PipelineDefinition.fixed("only-slow", "", EngineHarness.TEST_INFO, cascade(List.of("slow"), 0.5))));
    try (EngineHarness node = EngineHarness.start("deadline-admission", EngineHarness.config(
        "switchyard.pool.max-concurrency-per-worker = 1\nswitchyard.pool.max-queue-wait = 30s"), setup)) {
      node.await(node.engine.answer(query("warm", Budget.unlimited()), "only-slow", Durability.EPHEMERAL));

      CompletionStage<QueryResult> busy = node.engine.answer(query("busy", Budget.unlimited()), "only-slow",
          Durability.EPHEMERAL);
      TestProbe<Object> probe = node.kit.createTestProbe();
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        assertEquals(1, slow.inFlight.get(), "the one slot is taken");
        return null;
      });
      CompletionStage<QueryResult> patient = node.engine.answer(query("patient", new Budget(0, 0, 20_000)),
          "only-slow", Durability.EPHEMERAL);
      ExecutionException refused = assertThrows(ExecutionException.class, () -> node.await(node.engine.answer(
          query("hurried", new Budget(0, 0, 300)), "only-slow", Durability.EPHEMERAL)));
      EngineRejection overloaded = assertInstanceOf(EngineRejection.class, refused.getCause());
      assertEquals(EngineRejection.Reason.OVERLOADED, overloaded.reason(), overloaded.getMessage());
      // the queue (max-queue 64) had room and no circuit was open: only the deadline on the call refused it
      assertTrue(overloaded.getMessage().contains("QUEUE_WAIT"), "the refusal is named: " + overloaded.getMessage());
      assertTrue(overloaded.retryAfter() != null && overloaded.retryAfter().toMillis() >= 200,
          "a retry-after of at least min-retry-after: " + overloaded.retryAfter());

      assertEquals("slow", node.await(busy).answerModel());
      assertEquals("slow", node.await(patient).answerModel(), "a query with time to spare waits its turn");
      assertEquals(3, slow.totalCalls.get(), "warm, busy and patient ran; the refused call never reached it");
      assertTrue(slow.calls.keySet().stream().noneMatch(id -> id.startsWith("hurried")), slow.calls.toString());
    }
  }

  /**
   * A deadline no timer can hold (Long.MAX_VALUE ms, which a job spec or an engine caller may set) counts as
   * switchyard.query.max-deadline inside the query: no overflow, so the step runs to its answer instead of
   * hitting a deadline that wrapped round to "already passed".
   */
  @Test
  void aDeadlineTooLongForAnyTimerNeverOverflowsInsideAQuery() throws Exception {
    TestBackend quick = TestBackend.answering("quick", "4", 0.95, 0.001, 1.0);
    EngineSetup setup = new EngineSetup(List.of(card("quick", 1)), Map.of("quick", List.of(quick)),
        List.of(PipelineDefinition.fixed("only-quick", "", EngineHarness.TEST_INFO, cascade(List.of("quick"), 0.5))));
    try (EngineHarness node = EngineHarness.start("deadline-overflow", EngineHarness.config(""), setup)) {
      node.await(node.engine.submitJob(new dev.switchyard.actors.job.JobSpec("forever", "only-quick",
          List.of(List.of(dev.switchyard.protocol.ChatMessage.user("2+2?"))), null,
          new Budget(0, 0, Long.MAX_VALUE))));
      TestProbe<Object> probe = node.kit.createTestProbe();
      dev.switchyard.actors.job.JobView done = probe.awaitAssert(EngineHarness.WAIT, () -> {
        dev.switchyard.actors.job.JobView v = node.await(node.engine.job("forever"));
        assertTrue(v.status().terminal(), () -> "still " + v.status());
        return v;
      });
      assertEquals("succeeded", done.status().wire(), done.toString());
      assertEquals(1, quick.totalCalls.get(), "the step called its model instead of ending at a wrapped deadline");
    }
  }
}
