package dev.switchyard.actors.query;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.cascade;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Stage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Under {@code rejection.policy = retry} a refused call waits the retry-after and tries the same model again. */
@ExtendWith(LogCapturingExtension.class)
class RejectionRetryPolicyTest {
  @Test
  void aRefusedCallIsRetriedOnTheSameModelUpToMaxRetriesThenRerouted() throws Exception {
    TestBackend jammed = new TestBackend("jammed", r -> new CompletableFuture<>());
    TestBackend large = TestBackend.answering("large", "4", 0.95, 0.01, 1.0);
    Map<String, List<InferenceBackend>> backends = Map.of("jammed", List.of(jammed), "large", List.of(large));
    EngineSetup setup = new EngineSetup(List.of(card("jammed", 1), card("large", 10)), backends,
        List.of(PipelineDefinition.fixed("jam-first", "", EngineHarness.TEST_INFO,
            cascade(List.of("jammed", "large"), 0.9))));
    try (EngineHarness node = EngineHarness.start("retry-test", EngineHarness.config(
        "switchyard.query.rejection.policy = retry\nswitchyard.query.rejection.max-retries = 2\n"
            + "switchyard.query.rejection.max-wait = 100ms\nswitchyard.pool.max-queue = 0\n"
            + "switchyard.pool.max-concurrency-per-worker = 1"), setup)) {
      TestProbe<ModelPool.CallResult> probe = node.kit.createTestProbe();
      ClusterSharding.get(node.kit.system()).entityRefFor(ModelPool.TYPE_KEY, "jammed").tell(new ModelPool.Call(
          new BackendRequest("filler/1", "jammed", List.of(ChatMessage.user("x")), "x", 0), probe.getRef()));
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        assertEquals(1, jammed.inFlight.get());
        return null;
      });

      QueryResult r = node.await(node.engine.answer(query("retry-1", Budget.unlimited()), "jam-first",
          Durability.EPHEMERAL));
      assertEquals("large", r.answerModel());
      assertEquals(4, r.rounds(), "refused, retried twice (refused again), then rerouted");
      List<EpisodeStep> steps = r.episode().steps();
      assertEquals(3, steps.stream().filter(s -> s.stage() == Stage.REJECTED).count());
      List<String> retries = steps.stream().filter(s -> s.decision().startsWith("retry after rejection"))
          .map(EpisodeStep::decision).toList();
      assertEquals(List.of("retry after rejection 1/2", "retry after rejection 2/2"), retries);
      assertTrue(steps.stream().filter(s -> s.decision().startsWith("retry after rejection"))
          .allMatch(s -> s.signal() > 0 && s.signal() <= 100), "waited the retry-after capped at max-wait");
      assertEquals(1, jammed.totalCalls.get(), "refused calls never reached the backend");
    }
  }
}
