package dev.switchyard.actors.learn;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.strategies.bandit.Ucb1Bandit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A learned pipeline with {@code reward = confidence} learns, where no feedback comes within
 * {@code signal-after}, from its answer's confidence; a query that got its feedback in time is learned from the
 * feedback only, once.
 */
@ExtendWith(LogCapturingExtension.class)
class ConfidenceRewardTest {
  @Test
  void withoutFeedbackTheAnswersConfidenceIsTheRewardAndFeedbackInTimeWins() throws Exception {
    Map<String, List<InferenceBackend>> backends = Map.of(
        "small", List.of(TestBackend.answering("small", "four?", -0.7, 0.001, null)),
        "large", List.of(TestBackend.answering("large", "4", -0.05, 0.01, null)));
    EngineSetup setup = new EngineSetup(List.of(card("small", 1), card("large", 10)), backends,
        List.of(PipelineDefinition.learned("bandit", "UCB1 over two models",
            () -> new Ucb1Bandit("bandit", List.of("small", "large"), 0, 1, 0.5)).withReward(RewardSignal.confidence())));
    EngineHarness node = EngineHarness.start("confidence-reward",
        EngineHarness.config("switchyard.learner.feedback-window.signal-after = 1500ms\n"), setup);
    try {
      TestProbe<Object> probe = node.kit.createTestProbe();
      node.await(node.engine.answer(query("signal-1", Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      assertEquals(0, policy(node).active().version(), "not before signal-after");
      probe.awaitAssert(Duration.ofSeconds(15), () -> {
        assertEquals(1, policy(node).active().version(), "learned from the confidence, without any feedback");
        return null;
      });

      node.await(node.engine.answer(query("fed-1", Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      node.await(node.engine.feedback(new Feedback("fed-1", 1.0, "user", false)));
      probe.awaitAssert(Duration.ofSeconds(15), () -> {
        assertEquals(2, policy(node).active().version(), "learned from the feedback");
        return null;
      });
      Thread.sleep(3_000); // past signal-after: the query with feedback is not learned a second time
      assertEquals(2, policy(node).active().version());
    } finally {
      node.close();
    }
  }

  private static PolicyPublished policy(EngineHarness node) {
    TestProbe<PolicyPublished> probe = node.kit.createTestProbe();
    node.learner("bandit").tell(new Learner.GetPolicy(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30));
  }
}
