package dev.switchyard.actors.learn;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineRejection;
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
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Feedback for an ephemeral query is taken long after its entity ended (passivated here after one idle second):
 * the learner of the query's pipeline kept the unscored episode in its feedback window, learns the late reward
 * once, refuses a second one (409 unless replacing), and a query it never saw is not found.
 */
@ExtendWith(LogCapturingExtension.class)
class LateFeedbackTest {
  @Test
  void aRewardAfterTheQueryEntityEndedIsLearnedOnce() throws Exception {
    EngineSetup setup = banditOverTwoModels(null, null);
    EngineHarness node = EngineHarness.start("late-feedback",
        // Each late feedback starts an entity that reads the (empty) journal before the learners are asked: on a
        // two-core machine under a full build that took over the 10 s default once, so the wait is 30 s here.
        EngineHarness.config("switchyard.query.passivate-after-idle = 1s\n"
            + "switchyard.engine.feedback-timeout = 30s\n"), setup);
    try {
      Engine engine = node.engine;
      node.await(engine.answer(query("late-1", Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      assertEquals(0, policy(node).active().version(), "no score, nothing learned yet");
      // idle for more than passivate-after-idle (any message to the entity would count as activity)
      Thread.sleep(4_000);
      TestProbe<Object> probe = node.kit.createTestProbe();

      node.await(engine.feedback(new Feedback("late-1", 1.0, "user", false)));
      probe.awaitAssert(Duration.ofSeconds(20), () -> {
        assertEquals(1, policy(node).active().version(), "the late reward was learned");
        return null;
      });

      EngineRejection again = rejection(() -> node.await(engine.feedback(new Feedback("late-1", 0.0, "user",
          false))));
      assertEquals(EngineRejection.Reason.CONFLICT, again.reason(), again.getMessage());
      assertTrue(again.getMessage().contains("already has the reward 1.0"), again.getMessage());
      node.await(engine.feedback(new Feedback("late-1", 0.0, "user", true)));
      assertEquals(1, policy(node).active().version(), "a replacement is recorded, not learned again");

      EngineRejection unknown = rejection(() -> node.await(engine.feedback(new Feedback("never", 1.0, "user",
          false))));
      assertEquals(EngineRejection.Reason.NOT_FOUND, unknown.reason(), unknown.getMessage());
      assertTrue(unknown.getMessage().contains("feedback window"), unknown.getMessage());
      // the query's entity was gone all along: every reward above went through the learner's window
      assertFalse(node.await(node.status("late-1", Duration.ofSeconds(10))).known(), "the entity had ended");
    } finally {
      node.close();
    }
  }

  /**
   * Only the tenant that asked a query may rate it, whether the reward reaches the query's entity (a durable query,
   * its tenant read back from the journal) or the learner's window after an ephemeral query's entity ended;
   * another tenant, or a caller of no tenant, is answered as for a query that does not exist.
   */
  @Test
  void onlyTheTenantThatAskedAQueryMayRateIt() throws Exception {
    EngineSetup setup = banditOverTwoModels(null, null);
    EngineHarness node = EngineHarness.start("owned-feedback",
        EngineHarness.config("switchyard.query.passivate-after-idle = 1s\n"
            + "switchyard.engine.feedback-timeout = 30s\n"), setup);
    try {
      Engine engine = node.engine;
      node.await(engine.answer(query("owned-durable", Budget.unlimited()).withTenant("acme"), "bandit",
          Durability.DURABLE));
      node.await(engine.answer(query("owned-late", Budget.unlimited()).withTenant("acme"), "bandit",
          Durability.EPHEMERAL));
      Thread.sleep(4_000); // both entities passivate; the ephemeral one's episode waits in the learner's window
      for (String id : List.of("owned-durable", "owned-late")) {
        for (String other : java.util.Arrays.asList("beta", null)) {
          EngineRejection refused = rejection(() -> node.await(engine.feedback(new Feedback(id, 0.0, "user", false,
              other))));
          assertEquals(EngineRejection.Reason.NOT_FOUND, refused.reason(), id + " rated by " + other + ": "
              + refused.getMessage());
          assertTrue(refused.getMessage().startsWith("no query " + id), refused.getMessage());
        }
        node.await(engine.feedback(new Feedback(id, 1.0, "user", false, "acme")));
      }
      TestProbe<Object> probe = node.kit.createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(20), () -> {
        assertEquals(2, policy(node).active().version(), "acme's two rewards were learned, no other");
        return null;
      });
    } finally {
      node.close();
    }
  }

  /**
   * A query scored as it ended (here by its answer's own quality) is learned then; a user's feedback is learned
   * once more, the same whether it reaches the live query entity or, as here, the learner's window after the
   * entity ended. Before, the window took the end's score for a feedback and refused the user's (409).
   */
  @Test
  void aQueryScoredAtItsEndTakesOneLateFeedbackAsItsLiveEntityWould() throws Exception {
    EngineSetup setup = banditOverTwoModels(0.0, 1.0);
    EngineHarness node = EngineHarness.start("late-feedback-scored",
        EngineHarness.config("switchyard.query.passivate-finished-ephemeral-after = 0s\n"
            + "switchyard.engine.feedback-timeout = 30s\n"), setup);
    try {
      Engine engine = node.engine;
      node.await(engine.answer(query("scored-1", Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      TestProbe<Object> probe = node.kit.createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(20), () -> {
        assertEquals(1, policy(node).active().version(), "learned with the score it ended with");
        return null;
      });

      node.await(engine.feedback(new Feedback("scored-1", 1.0, "user", false)));
      probe.awaitAssert(Duration.ofSeconds(20), () -> {
        assertEquals(2, policy(node).active().version(), "the user's reward was learned as well");
        return null;
      });
      EngineRejection again = rejection(() -> node.await(engine.feedback(new Feedback("scored-1", 0.0, "user",
          false))));
      assertEquals(EngineRejection.Reason.CONFLICT, again.reason(), again.getMessage());
      assertTrue(again.getMessage().contains("already has the reward 1.0"), again.getMessage());
      assertEquals(2, policy(node).active().version(), "one feedback per query");
      // passivated at its end (0 s): every feedback above went through the learner's window
      assertFalse(node.await(node.status("scored-1", Duration.ofSeconds(10))).known(), "the entity had ended");
    } finally {
      node.close();
    }
  }

  /**
   * A status read of an ended query starts an entity that finds nothing and ends; a feedback sent as soon as the
   * read answers reaches the next incarnation. It was lost when that entity stopped by itself: the shard still
   * delivered to it, and the caller waited out feedback-timeout (10 s) for a "did not finish".
   */
  @Test
  void aFeedbackRightAfterAStatusReadOfAnEndedQueryIsNotLost() throws Exception {
    EngineSetup setup = banditOverTwoModels(null, null);
    EngineHarness node = EngineHarness.start("status-then-feedback",
        EngineHarness.config("switchyard.query.passivate-finished-ephemeral-after = 0s\n"), setup);
    try {
      Engine engine = node.engine;
      for (int i = 0; i < 5; i++) {
        String id = "read-then-rate-" + i;
        node.await(engine.answer(query(id, Budget.unlimited()), "bandit", Durability.EPHEMERAL));
        // read until a read finds the entity gone (it passivates as the query ends), then rate at once
        node.kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
          assertFalse(node.await(node.status(id, Duration.ofSeconds(10))).known(), "its entity ended with it");
          return null;
        });
        long sent = System.nanoTime();
        node.await(engine.feedback(new Feedback(id, 1.0, "user", false)));
        System.out.printf("feedback %d answered %.0f ms after the read%n", i, (System.nanoTime() - sent) / 1e6);
      }
      TestProbe<Object> probe = node.kit.createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(20), () -> {
        assertEquals(5, policy(node).active().version(), "every feedback learned, none lost");
        return null;
      });
    } finally {
      node.close();
    }
  }

  /** A UCB1 over a small and a large model whose answers score as given (null: not scored as they end). */
  private static EngineSetup banditOverTwoModels(Double smallScore, Double largeScore) {
    Map<String, List<InferenceBackend>> backends = Map.of(
        "small", List.of(TestBackend.answering("small", "four?", 0.3, 0.001, smallScore)),
        "large", List.of(TestBackend.answering("large", "4", 0.95, 0.01, largeScore)));
    return new EngineSetup(List.of(card("small", 1), card("large", 10)), backends,
        List.of(PipelineDefinition.learned("bandit", "UCB1 over two models",
            () -> new Ucb1Bandit("bandit", List.of("small", "large"), 0, 1, 0.5))));
  }

  private static PolicyPublished policy(EngineHarness node) {
    TestProbe<PolicyPublished> probe = node.kit.createTestProbe();
    node.learner("bandit").tell(new Learner.GetPolicy(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30));
  }

  interface Call {
    void run() throws Exception;
  }

  private static EngineRejection rejection(Call call) {
    Exception e = assertThrows(Exception.class, call::run);
    Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    while (!(t instanceof EngineRejection) && t.getCause() != null) {
      t = t.getCause();
    }
    assertTrue(t instanceof EngineRejection, "not a rejection: " + e);
    return (EngineRejection) t;
  }
}
