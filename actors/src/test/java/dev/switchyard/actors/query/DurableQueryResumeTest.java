package dev.switchyard.actors.query;

import static dev.switchyard.actors.EngineHarness.cascade;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A durable query interrupted by an ActorSystem shutdown resumes in a new ActorSystem on the same H2 file at its
 * last recorded step: the finished call is not repeated, the interrupted one is re-issued with its attempt id.
 */
@ExtendWith(LogCapturingExtension.class)
class DurableQueryResumeTest {

  static String status(EngineHarness node, String id) {
    try {
      return node.status(id, java.time.Duration.ofSeconds(3)).toCompletableFuture()
          .get().toString();
    } catch (Exception e) {
      return "unavailable: " + e;
    }
  }

  @Test
  void anInterruptedDurableQueryResumesAfterRestartWithoutRepeatingAFinishedCall() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "durable-resume-" + UUID.randomUUID()));
    Config config = EngineHarness.fileConfig(dir);
    Query job = query("job-1", Budget.unlimited());

    TestBackend first1 = TestBackend.answering("first", "maybe 4", 0.3, 0.001, 0.0);
    TestBackend second1 = new TestBackend("second", r -> new CompletableFuture<>()); // blocks: never answers
    EngineHarness one = EngineHarness.start("durable-one", config, EngineHarness.cascadeSetup(first1, second1));
    one.engine.answer(job, "cascade", Durability.DURABLE);
    TestProbe<Object> probe = one.kit.createTestProbe();
    probe.awaitAssert(java.time.Duration.ofSeconds(60), () -> {
      assertEquals(1, second1.called("job-1/2"), () -> "first called " + first1.calls + ", status "
          + status(one, "job-1"));
      return null;
    });
    one.close(); // mid-episode: call 2 is in flight

    TestBackend first2 = TestBackend.answering("first", "maybe 4", 0.3, 0.001, 0.0);
    TestBackend second2 = TestBackend.answering("second", "4", 0.95, 0.01, 1.0);
    EngineHarness two = EngineHarness.start("durable-two", config, EngineHarness.cascadeSetup(first2, second2));
    try {
      TestProbe<Object> probe2 = two.kit.createTestProbe();
      // Nobody asks: the open-queries registry resumes the job by itself.
      probe2.awaitAssert(EngineHarness.WAIT, () -> {
        assertEquals(1, second2.completed("job-1/2"));
        return null;
      });
      QueryResult result = two.await(two.engine.answer(job, "cascade", Durability.DURABLE));
      assertEquals("4", result.answer());
      assertEquals("second", result.answerModel());
      assertEquals(List.of("first", "second"), result.modelsCalled());
      assertEquals(2, result.rounds());
      assertEquals(1.0, result.episode().score());
      assertEquals(List.of(Stage.PRE_ROUTE, Stage.GENERATE, Stage.VERIFY, Stage.ESCALATE, Stage.GENERATE,
          Stage.VERIFY, Stage.ANSWER), result.episode().steps().stream().map(s -> s.stage()).toList());

      // Each finished call exactly once across both systems.
      assertEquals(1, first1.completed("job-1/1") + first2.completed("job-1/1"));
      assertEquals(0, first2.called("job-1/1"), "the finished first call was not repeated");
      assertEquals(1, second1.completed("job-1/2") + second2.completed("job-1/2"));
      assertEquals(0, second1.completed("job-1/2"));

      // The entity id is the idempotency key: a repeat returns the recorded result and calls nothing.
      int callsBefore = first2.totalCalls.get() + second2.totalCalls.get();
      QueryResult again = two.await(two.engine.answer(job, "cascade", Durability.DURABLE));
      assertEquals(result, again);
      assertEquals(callsBefore, first2.totalCalls.get() + second2.totalCalls.get());
    } finally {
      two.close();
    }
    assertTrue(Files.exists(dir));
  }

  /**
   * With {@code switchyard.query.resume-in-flight = replan}, the call in flight at the interruption is recorded as
   * a lost attempt and not sent again; the planner goes on from there (here the cascade has no model left to
   * escalate to, and answers with what it has).
   */
  @Test
  void withReplanTheInterruptedCallIsRecordedAsLostAndNotSentAgain() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "durable-replan-" + UUID.randomUUID()));
    Config config = com.typesafe.config.ConfigFactory.parseString("switchyard.query.resume-in-flight = replan")
        .withFallback(EngineHarness.fileConfig(dir));
    Query job = query("job-2", Budget.unlimited());

    TestBackend first1 = TestBackend.answering("first", "maybe 4", 0.3, 0.001, 0.0);
    TestBackend second1 = new TestBackend("second", r -> new CompletableFuture<>()); // blocks: never answers
    EngineHarness one = EngineHarness.start("replan-one", config, EngineHarness.cascadeSetup(first1, second1));
    one.engine.answer(job, "cascade", Durability.DURABLE);
    TestProbe<Object> probe = one.kit.createTestProbe();
    probe.awaitAssert(java.time.Duration.ofSeconds(60), () -> {
      assertEquals(1, second1.called("job-2/2"));
      return null;
    });
    one.close(); // call 2 is in flight

    TestBackend first2 = TestBackend.answering("first", "maybe 4", 0.3, 0.001, 0.0);
    TestBackend second2 = TestBackend.answering("second", "4", 0.95, 0.01, 1.0);
    EngineHarness two = EngineHarness.start("replan-two", config, EngineHarness.cascadeSetup(first2, second2));
    try {
      QueryResult result = two.await(two.engine.answer(job, "cascade", Durability.DURABLE));
      assertEquals(0, second2.called("job-2/2"), "the lost call was not sent again");
      assertEquals(0, first2.called("job-2/1"), "nor the finished one");
      assertTrue(result.episode().steps().stream().anyMatch(st -> st.stage() == Stage.FAILED
          && st.modelId().equals("second") && st.decision().contains("LOST")), result.episode().steps().toString());
      assertEquals("maybe 4", result.answer(), "the cascade answers with the answer it has");
    } finally {
      two.close();
    }
  }
}
