package dev.switchyard.actors.query;

import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Feedback;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A finished ephemeral query leaves memory {@code passivate-finished-ephemeral-after} its end, not after the
 * minutes of {@code passivate-after-idle}: at thousands of queries a second those minutes of finished entities
 * would fill the heap. A durable query's status stays readable by its id.
 */
@ExtendWith(LogCapturingExtension.class)
class FinishedQueryPassivationTest {

  @Test
  void aFinishedEphemeralQueryIsPassivatedSoonAfterItsEndAndADurableOneIsNot() throws Exception {
    try (EngineHarness node = node("finished-passivation", "300ms")) {
      assertEquals("4", node.await(node.engine.answer(query("brief", Budget.unlimited()), "cascade",
          Durability.EPHEMERAL)).answer());
      assertEquals("4", node.await(node.engine.answer(query("kept", Budget.unlimited()), "cascade",
          Durability.DURABLE)).answer());

      // Once passivated, the id is asked of a new entity that knows no such query.
      node.kit.createTestProbe().awaitAssert(EngineHarness.WAIT, () -> {
        QueryActor.Status s = status(node, "brief");
        assertFalse(s.known(), "the finished ephemeral query is no longer in memory: " + s);
        return s;
      });
      QueryActor.Status durable = status(node, "kept");
      assertTrue(durable.known() && durable.finished(), "the durable query is still its entity: " + durable);
      assertEquals("4", durable.result().answer());
    }
  }

  @Test
  void aFeedbackKeepsAFinishedEphemeralQueryForAnotherWhile() throws Exception {
    try (EngineHarness node = node("finished-feedback", "3s")) {
      node.await(node.engine.answer(query("fed", Budget.unlimited()), "cascade", Durability.EPHEMERAL));
      Thread.sleep(2_000);
      node.await(node.engine.feedback(new Feedback("fed", 1.0, "test")));
      Thread.sleep(2_000); // 4 s after its end: past the first 3 s, within the 3 s the feedback began

      QueryActor.Status s = status(node, "fed");
      assertTrue(s.known() && s.finished(), "the feedback kept the finished query: " + s);
    }
  }

  /** A node whose finished ephemeral queries are kept {@code keepFinished}, durable ones for ten minutes. */
  private static EngineHarness node(String name, String keepFinished) {
    return EngineHarness.start(name, EngineHarness.config("switchyard.query.passivate-after-idle = 10m\n"
        + "switchyard.query.passivate-finished-ephemeral-after = " + keepFinished), EngineHarness.cascadeSetup(
        TestBackend.answering("first", "4", 0.95, 0.001, 1.0), TestBackend.answering("second", "4", 0.95, 0.01, 1.0)));
  }

  private static QueryActor.Status status(EngineHarness node, String id) throws Exception {
    return node.await(node.status(id, Duration.ofSeconds(10)));
  }
}
