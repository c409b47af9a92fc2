package dev.switchyard.strategies.uncertainty;

import static dev.switchyard.strategies.cascade.Recorded.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.cascade.Recorded;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanState;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogprobProbeTest {
  static RecordedDataset train() {
    Recorded r = Recorded.models("small", "big");
    for (int i = 0; i < 40; i++) {
      boolean easy = i % 2 == 0;
      r.query("q" + i, "t", "train", "question " + i,
          o(easy ? 1 : 0, 1, easy ? -0.05 : -2.0, easy ? "A" : "B"), o(1, 10, -0.1, "A"));
    }
    return r.build();
  }

  @Test
  void verifierIgnoresReferenceScore() {
    RecordedDataset train = train();
    LogprobProbe probe = new LogprobProbe();
    probe.fit(train, StrategyContext.seeded(1));
    PlanState state = PlanState.start(Query.ofText("x", "question x"), ModelCatalog.fromRecorded(train));
    var wrong = Recorded.response("small", "B", -2.0, 0.0);
    var right = Recorded.response("small", "B", -2.0, 1.0);
    var unknown = Recorded.response("small", "B", -2.0, null);
    double p = probe.verifier().confidence(state.with(Attempt.answered(wrong)), wrong);
    assertEquals(p, probe.verifier().confidence(state.with(Attempt.answered(right)), right));
    assertEquals(p, probe.verifier().confidence(state.with(Attempt.answered(unknown)), unknown));
    // And the planner's decision is the same whatever the recorded correctness says.
    var planner = probe.planner(0.5);
    assertEquals(planner.next(state.with(Attempt.answered(wrong))).getClass(),
        planner.next(state.with(Attempt.answered(right))).getClass());
    assertEquals(List.of("big"), List.of(((dev.switchyard.strategies.plan.PlanAction.Route)
        planner.next(state.with(Attempt.answered(right)))).modelId()));
  }

  @Test
  void escalatesWhenProbeConfidenceBelowThreshold() {
    Recorded r = Recorded.models("small", "big");
    RecordedDataset train = train();
    LogprobProbe probe = new LogprobProbe();
    probe.fit(train, StrategyContext.seeded(1));
    r.query("sure", "t", "test", "question sure", o(1, 1, -0.05, "A"), o(1, 10, -0.1, "A"));
    r.query("unsure", "t", "test", "question unsure", o(0, 1, -2.0, "B"), o(1, 10, -0.1, "A"));
    var test = r.build().queries();
    assertEquals(List.of("small"), Recorded.calls(probe.planner(0.5), test.get(0), train));
    assertEquals(List.of("small", "big"), Recorded.calls(probe.planner(0.5), test.get(1), train));
  }

  @Test
  void perTokenSignalIsLengthNormalised() {
    var a = new dev.switchyard.strategies.cascade.support.AnswerSignal("m", "long answer", -4.0, 8);
    assertEquals(-0.5, a.perTokenConfidence(), 1e-12);
    var clamped = new dev.switchyard.strategies.cascade.support.AnswerSignal("m", "x", Double.NEGATIVE_INFINITY, 1);
    assertEquals(dev.switchyard.strategies.cascade.support.AnswerSignal.CONFIDENCE_FLOOR, clamped.confidence());
    assertTrue(new LogprobProbe().info().adaptation().contains("perplexity"));
  }
}
