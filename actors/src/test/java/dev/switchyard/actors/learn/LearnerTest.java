package dev.switchyard.actors.learn;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.TestJournal;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.strategies.bandit.Ucb1Bandit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The learner singleton: learns from episodes and feedback, publishes to the board, survives a restart. */
@ExtendWith(LogCapturingExtension.class)
class LearnerTest {
  static EngineSetup setup() {
    Map<String, List<InferenceBackend>> backends = Map.of(
        "small", List.of(TestBackend.answering("small", "four?", 0.3, 0.001, 0.0)),
        "large", List.of(TestBackend.answering("large", "4", 0.95, 0.01, 1.0)));
    return new EngineSetup(List.of(card("small", 1), card("large", 10)), backends,
        List.of(PipelineDefinition.learned("bandit", "UCB1 over two models",
            () -> new Ucb1Bandit("bandit", List.of("small", "large"), 0, 1, 0.5))));
  }

  static Config config(Path dir, String extra) {
    return EngineHarness.config(extra + "\nswitchyard.learner.snapshot-every = 4\n", TestJournal.kept(dir));
  }

  static PolicyPublished policy(EngineHarness node) {
    TestProbe<PolicyPublished> probe = node.kit.createTestProbe();
    node.learner("bandit").tell(new Learner.GetPolicy(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30));
  }

  static void awaitVersion(EngineHarness node, long version) {
    TestProbe<Object> probe = node.kit.createTestProbe();
    probe.awaitAssert(EngineHarness.WAIT, () -> {
      assertEquals(version, policy(node).active().version());
      assertEquals(version, node.policy("bandit").orElseThrow().activeVersion(),
          "the node's board has the version");
      return null;
    });
  }

  @Test
  void episodesAndFeedbackUpdateThePolicyAndARestartRestoresItExactly() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "learner-" + UUID.randomUUID()));
    PolicyPublished before;
    try (EngineHarness one = EngineHarness.start("learner-one", config(dir, ""), setup())) {
      for (int i = 0; i < 6; i++) {
        one.await(one.engine.answer(query("learn-" + i, Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      }
      awaitVersion(one, 6);
      before = policy(one);
      assertEquals(6, before.active().episodes());
      double[] pulls = before.active().parameter("pulls");
      assertEquals(6, pulls[0] + pulls[1], 1e-12);
      assertNull(before.candidate());

      QueryResult next = one.await(one.engine.answer(query("learn-next", Budget.unlimited()), "bandit",
          Durability.EPHEMERAL));
      assertEquals(6, next.episode().policyVersion(), "the query decided with the board's newest version");
      awaitVersion(one, 7);

      one.await(one.engine.feedback(new Feedback("learn-0", 1.0, "test")));
      awaitVersion(one, 8);
      before = policy(one);
    }
    try (EngineHarness two = EngineHarness.start("learner-two", config(dir, ""), setup())) {
      awaitVersion(two, 8);
      PolicyPublished after = policy(two);
      assertEquals(before.active().version(), after.active().version());
      assertEquals(before.active().episodes(), after.active().episodes());
      assertArrayEquals(before.active().parameter("pulls"), after.active().parameter("pulls"));
      assertArrayEquals(before.active().parameter("reward_sums"), after.active().parameter("reward_sums"));
    }
  }

  @Test
  void underManualPromotionANewVersionDecidesInShadowUntilPromoted() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "shadow-" + UUID.randomUUID()));
    try (EngineHarness node = EngineHarness.start("shadow",
        config(dir, "switchyard.learner.manual-pipelines = [bandit]"), setup())) {
      for (int i = 0; i < 3; i++) {
        node.await(node.engine.answer(query("shadow-" + i, Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      }
      TestProbe<Object> probe = node.kit.createTestProbe();
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        PolicyPublished p = policy(node);
        assertEquals(0, p.active().version());
        assertNotNull(p.candidate());
        assertEquals(3, p.candidate().version());
        assertEquals(3, node.policy("bandit").orElseThrow().candidateVersion());
        return null;
      });
      QueryResult shadowed = node.await(node.engine.answer(query("shadow-seen", Budget.unlimited()), "bandit",
          Durability.EPHEMERAL));
      assertEquals(0, shadowed.episode().policyVersion(), "the acting version is still 0");
      assertTrue(shadowed.episode().steps().stream().anyMatch(s -> s.decision().startsWith("shadow:v3:route")),
          shadowed.episode().steps().toString());

      long promoted = node.await(node.engine.promote("bandit"));
      assertTrue(promoted >= 3);
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        assertEquals(promoted, node.policy("bandit").orElseThrow().activeVersion());
        return null;
      });
      QueryResult after = node.await(node.engine.answer(query("shadow-after", Budget.unlimited()), "bandit",
          Durability.EPHEMERAL));
      assertEquals(promoted, after.episode().policyVersion());
    }
  }

  /**
   * A query takes one reward (issue 8: three contradictory feedbacks were all learned from). The first is
   * learned; a second is refused with CONFLICT naming the recorded reward; a replacement is accepted but not
   * learned again. For a durable query the fact is journaled with the query: after a restart a second reward is
   * still refused.
   */
  @Test
  void aQueryIsLearnedFromOnceHoweverManyFeedbacksArrive() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "feedback-once-" + UUID.randomUUID()));
    try (EngineHarness node = EngineHarness.start("feedback-once", config(dir, ""), setup())) {
      node.await(node.engine.answer(query("once-eph", Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      node.await(node.engine.answer(query("once-dur", Budget.unlimited()), "bandit", Durability.DURABLE));
      awaitVersion(node, 2); // each finished episode carries its reference score and is learned once

      node.await(node.engine.feedback(new Feedback("once-eph", 1.0, "user")));
      node.await(node.engine.feedback(new Feedback("once-dur", 1.0, "user")));
      awaitVersion(node, 4);
      for (String id : List.of("once-eph", "once-dur")) {
        java.util.concurrent.ExecutionException second = org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class,
            () -> node.await(node.engine.feedback(new Feedback(id, 0.0, "user"))));
        EngineRejection conflict = (EngineRejection) second.getCause();
        assertEquals(EngineRejection.Reason.CONFLICT, conflict.reason());
        assertTrue(conflict.getMessage().contains("reward 1.0"), conflict.getMessage());
        node.await(node.engine.feedback(new Feedback(id, 0.0, "user", true)));
        node.await(node.engine.feedback(new Feedback(id, 0.5, "user", true)));
      }
      // a replacement sends the learner nothing; give it time to show otherwise
      node.kit.createTestProbe().expectNoMessage(Duration.ofSeconds(1));
      PolicyPublished after = policy(node);
      assertEquals(4, after.active().version(), "two episodes and two first rewards, no replacement learned");
      double[] pulls = after.active().parameter("pulls");
      assertEquals(4, pulls[0] + pulls[1], 1e-12);
    }
    try (EngineHarness again = EngineHarness.start("feedback-once-2", config(dir, ""), setup())) {
      java.util.concurrent.ExecutionException second = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class,
          () -> again.await(again.engine.feedback(new Feedback("once-dur", 1.0, "user"))));
      EngineRejection conflict = (EngineRejection) second.getCause();
      assertEquals(EngineRejection.Reason.CONFLICT, conflict.reason(), "the journal knows the query has a reward");
      assertTrue(conflict.getMessage().contains("reward 0.5"), "the current (replacing) reward: "
          + conflict.getMessage());
      awaitVersion(again, 4);
    }
  }
}
