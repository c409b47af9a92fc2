package dev.switchyard.actors.query;

import static dev.switchyard.actors.EngineHarness.card;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.pipeline.FallbackChain;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Routing skips a model whose circuit is open before calling it: once its pool has published that every worker's
 * circuit is open, a query routed there records the refusal at once, without a call, and goes on to the next
 * model of its plan.
 */
@ExtendWith(LogCapturingExtension.class)
class OpenCircuitRoutingTest {
  @Test
  void aModelWithItsCircuitOpenIsNotCalledAndThePlanGoesOn() throws Exception {
    TestBackend flaky = new TestBackend("flaky", r -> CompletableFuture.failedFuture(
        new BackendException(BackendException.Kind.SERVER_ERROR, "500")));
    TestBackend steady = TestBackend.answering("steady", "4", 0.9, 0.001, 1.0);
    Map<String, List<InferenceBackend>> backends = Map.of("flaky", List.of(flaky), "steady", List.of(steady));
    EngineSetup setup = new EngineSetup(List.of(card("flaky", 1), card("steady", 2)), backends,
        List.of(PipelineDefinition.fixed("chain", "", FallbackChain.info(),
            new FallbackChain(List.of("flaky", "steady")))));
    var config = EngineHarness.config("switchyard.pool.circuit-breaker.failure-threshold = 2\n"
        + "switchyard.pool.circuit-breaker.cooldown = 60s\n"
        + "switchyard.pool.load-publish-interval = 100ms\n"
        + "switchyard.pool.retry.max-retries.SERVER_ERROR = 0\n");
    EngineHarness node = EngineHarness.start("open-circuit", config, setup);
    try {
      for (int i = 0; i < 2; i++) {
        QueryResult r = node.await(node.engine.answer(EngineHarness.query("warm-" + i, Budget.unlimited()), "chain",
            Durability.EPHEMERAL));
        assertEquals("steady", r.answerModel(), "the chain gets past the failing model");
      }
      assertEquals(2, flaky.totalCalls.get(), "two failures: its circuit is open now");
      AtomicInteger n = new AtomicInteger();
      TestProbe<Object> probe = node.kit.createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
        QueryResult r;
        try {
          r = node.await(node.engine.answer(EngineHarness.query("after-" + n.incrementAndGet(), Budget.unlimited()),
              "chain", Durability.EPHEMERAL));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        assertEquals("steady", r.answerModel());
        assertTrue(r.episode().steps().stream().anyMatch(s -> s.stage() == Stage.REJECTED
            && s.modelId().equals("flaky") && s.decision().contains("not called")), r.episode().steps().toString());
        return null;
      });
      assertEquals(2, flaky.totalCalls.get(), "never called while its circuit is open");
    } finally {
      node.close();
    }
  }
}
