package dev.switchyard.actors.query;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.cascade;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.QueryResult;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Idle passivation counts only messages that reach an entity through its shard; a pool's reply and the query's
 * own timers do not pass there. A query waiting on model calls longer than {@code passivate-after-idle} must
 * still not be passivated (an ephemeral one would be lost, a durable one stalled until the registry resumes it),
 * nor one whose registration waits on a journal slower than that (its caller would never hear back).
 */
@ExtendWith(LogCapturingExtension.class)
class QueryPassivationTest {
  static TestBackend first = TestBackend.delayed("first", 1_500, "4 maybe", 0.5);
  static TestBackend second = TestBackend.delayed("second", 1_500, "4", 0.95);
  static EngineHarness node;

  @BeforeAll
  static void start() {
    Map<String, List<InferenceBackend>> backends = Map.of("first", List.of(first), "second", List.of(second));
    EngineSetup setup = new EngineSetup(List.of(card("first", 1), card("second", 2)), backends,
        List.of(PipelineDefinition.fixed("two-slow-calls", "", EngineHarness.TEST_INFO,
            cascade(List.of("first", "second"), 0.9))));
    node = EngineHarness.start("passivation-test", EngineHarness.config("""
        switchyard.query.passivate-after-idle = 1s
        switchyard.query.call-timeout = 10s
        switchyard.engine.answer-timeout = 20s
        switchyard.query.open-registry.resume-interval = 1h
        """), setup);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void anEphemeralQueryWaitingOnCallsLongerThanTheIdleTimeoutIsNotPassivated() throws Exception {
    QueryResult r = node.await(node.engine.answer(query("slow-ephemeral", Budget.unlimited()), "two-slow-calls",
        Durability.EPHEMERAL));
    assertEquals("4", r.answer());
    assertEquals(List.of("first", "second"), r.modelsCalled());
    assertEquals(1, first.called("slow-ephemeral/1"));
    assertEquals(1, second.called("slow-ephemeral/2"));
  }

  @Test
  void aDurableQueryWaitingOnCallsLongerThanTheIdleTimeoutFinishesWithoutAResume() throws Exception {
    QueryResult r = node.await(node.engine.answer(query("slow-durable", Budget.unlimited()), "two-slow-calls",
        Durability.DURABLE));
    assertEquals("4", r.answer());
    assertEquals(1, first.called("slow-durable/1"));
    assertEquals(1, second.called("slow-durable/2"));
  }
}
