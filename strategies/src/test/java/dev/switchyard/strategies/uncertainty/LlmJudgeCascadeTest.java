package dev.switchyard.strategies.uncertainty;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.cascade.Recorded;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmJudgeCascadeTest {
  /**
   * cheap (cost 1) right on even queries; judge (cost 2) right except on queries 1 mod 4; strong (cost 10)
   * always right. The right answer is always "A".
   */
  static Recorded data() {
    Recorded r = Recorded.models("cheap", "judge", "strong");
    for (int i = 0; i < 40; i++) {
      boolean cheapRight = i % 2 == 0;
      boolean judgeRight = i % 4 != 1;
      r.query("q" + i, "t", "train", "question " + i, o(cheapRight ? 1 : 0, 1, -0.5, cheapRight ? "A" : "B"),
          o(judgeRight ? 1 : 0, 2, -0.5, judgeRight ? "A" : "D"), o(1, 10, -0.1, "A"));
    }
    r.query("agree", "t", "test", "question agree", o(1, 1, -0.5, "A"), o(1, 2, -0.5, "A"), o(1, 10, -0.1, "A"));
    r.query("disagree", "t", "test", "question disagree", o(0, 1, -0.5, "B"), o(1, 2, -0.5, "A"),
        o(1, 10, -0.1, "A"));
    return r;
  }

  static LlmJudgeCascade fitted(RecordedDataset train) {
    LlmJudgeCascade cascade = new LlmJudgeCascade();
    cascade.fit(train, StrategyContext.seeded(1));
    return cascade;
  }

  @Test
  void judgeVerdictDecidesAndTheJudgeCallIsBilled() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    LlmJudgeCascade cascade = fitted(train);
    assertEquals("judge", cascade.verifier().judgeModel());
    var test = r.build().split("test").queries();
    var accepted = Recorded.replay(cascade.planner(0.5), test.get(0), train);
    assertEquals(List.of("cheap", "judge"), accepted.calls());
    assertEquals("cheap", accepted.answerModel());
    assertEquals(3.0, accepted.costUsd(), 1e-12);
    // Rejected: the next candidate is the judge model itself, answering the question (it is not self-judged).
    var rejected = Recorded.replay(cascade.planner(0.5), test.get(1), train);
    assertEquals(List.of("cheap", "judge", "judge"), rejected.calls());
    assertEquals("judge", rejected.answerModel());
    assertEquals(1.0, rejected.score());
  }

  @Test
  void skipsTheJudgeWhenNoVerdictCouldChangeTheDecision() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    LlmJudgeCascade cascade = fitted(train);
    var test = r.build().split("test").queries();
    assertEquals(List.of("cheap"), Recorded.calls(cascade.planner(0.0), test.get(1), train));
    // P(correct | approved) = 21/22 < 0.99: cheap is escalated unjudged; judge's prior 0.75 < 0.99 too.
    assertEquals(List.of("cheap", "judge", "strong"), Recorded.calls(cascade.planner(0.99), test.get(0), train));
  }

  @Test
  void verdictCalibrationReflectsJudgeReliability() {
    LlmJudgeCascade cascade = fitted(data().build().split("train"));
    var c = cascade.verifier().calibration("cheap").orElseThrow();
    // 20 approvals (even i: both answer "A"), all right; 20 rejections (odd i), none right; Laplace-smoothed.
    assertEquals(21.0 / 22, c.ifApproved(), 1e-12);
    assertEquals(1.0 / 22, c.ifRejected(), 1e-12);
  }

  @Test
  void aFailedJudgeCallFallsBackToThePriorAndAThresholdOutsideTheUnitIntervalIsRefused() {
    Recorded r = data();
    RecordedDataset train = r.build().split("train");
    LlmJudgeCascade cascade = fitted(train);
    var cards = dev.switchyard.strategies.data.ModelCatalog.fromRecorded(train);
    var cheapAnswer = Recorded.response("cheap", "A", -0.5, null);
    var state = dev.switchyard.strategies.plan.PlanState.start(Query.ofText("x", "question x"), cards)
        .with(dev.switchyard.strategies.plan.Attempt.answered(cheapAnswer))
        .with(new dev.switchyard.strategies.plan.Attempt("judge", "grading prompt", null, "error: 503"));
    // Cheap's prior (the verdict mixture, 0.5) is below 0.6, so without a verdict the plan escalates.
    var action = cascade.planner(0.6).next(state);
    assertEquals("judge", ((dev.switchyard.strategies.plan.PlanAction.Route) action).modelId());
    assertEquals(null, ((dev.switchyard.strategies.plan.PlanAction.Route) action).subQuery());
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> cascade.planner(1.5));
    assertEquals("threshold must be in [0, 1], got 1.5", e.getMessage());
  }

  @Test
  void yesNoJudgeReadsALiveVerdictAndSendsAGradingPrompt() {
    Judge judge = new Judge.YesNo();
    var candidate = Recorded.response("cheap", "Paris", null, null);
    assertTrue(judge.approves(candidate, Recorded.response("judge", "Y", null, null)));
    assertTrue(judge.approves(candidate, Recorded.response("judge", " yes.", null, null)));
    assertFalse(judge.approves(candidate, Recorded.response("judge", "N", null, null)));
    String prompt = judge.prompt(Query.ofText("q", "Capital of France?"), candidate);
    assertTrue(prompt.contains("Capital of France?") && prompt.contains("Paris") && prompt.contains("Y or N"));
  }
}
