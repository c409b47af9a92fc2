package dev.switchyard.actors.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Stage;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The failure kind an episode step names in its decision text, the one place that text is read. */
@ExtendWith(LogCapturingExtension.class)
class FailureKindTest {
  private static EpisodeStep step(Stage stage, String decision) {
    return EpisodeStep.decision(1, stage, "small", decision, Double.NaN);
  }

  @Test
  void theDecisionTextOfARefusalOrAFailureNamesItsKindThenItsMessage() {
    assertEquals("rejected: POOL_FULL: pool small is full", FailureKind.decision(true, "POOL_FULL",
        "pool small is full"));
    assertEquals("error: TIMEOUT", FailureKind.decision(false, "TIMEOUT", ""));
  }

  @Test
  void aRejectedOrFailedStepReadsBackTheKindItsDecisionNames() {
    assertEquals(Optional.of(FailureKind.POOL_FULL), FailureKind.of(step(Stage.REJECTED,
        FailureKind.decision(true, "POOL_FULL", "pool small is full: 8 in flight"))));
    assertEquals(Optional.of(FailureKind.TIMEOUT), FailureKind.of(step(Stage.FAILED, "error: TIMEOUT")));
  }

  @Test
  void aNameThisVersionDoesNotKnowIsNoKindRatherThanAServerError() {
    assertEquals(Optional.empty(), FailureKind.of(step(Stage.FAILED, "error: SOMETHING_NEW: details")));
    assertEquals(FailureKind.SERVER_ERROR, FailureKind.fromWire("SOMETHING_NEW"), "unlike the journal's reading");
  }

  @Test
  void otherStepsAndOtherTextsNameNoKind() {
    assertEquals(Optional.empty(), FailureKind.of(step(Stage.ANSWER, "error: TIMEOUT")));
    assertEquals(Optional.empty(), FailureKind.of(step(Stage.REJECTED, "rejected")));
    assertEquals(Optional.empty(), FailureKind.of(step(Stage.FAILED, "TIMEOUT")));
  }
}
