package dev.switchyard.strategies.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.testing.TinyData;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfflineReplayTest {
  private final RecordedQuery query = TinyData.query("q", "test", "2+2?",
      TinyData.outcome(0, 0.001, 0.2, "5"), TinyData.outcome(1, 0.01, 0.9, "4"));
  private final RecordedDataset data = TinyData.dataset(query);

  private final ThreeStagePipeline cascade = new ThreeStagePipeline(
      s -> new RouteDecision(List.of("small", "large"), Double.NaN, "chain"),
      (s, r) -> r.confidence(),
      (s, c, r) -> c >= 0.5 || s.tried("large") ? Escalation.accept() : new Escalation.EscalateTo("large"));

  @Test
  void replaysRecordedAnswersAndScoresTheCreditedModel() {
    OfflineReplay.Outcome out = OfflineReplay.run(cascade, query, ModelCatalog.fromRecorded(data),
        Budget.unlimited(), "test", 0.0);

    assertEquals(List.of("small", "large"), out.calls());
    assertEquals("large", out.answerModel());
    assertEquals(1.0, out.score());
    assertEquals(0.011, out.costUsd(), 1e-12);
    assertEquals(200.0, out.latencyMs(), "sequential calls: latencies add");
    assertEquals("4", out.episode().answer());
    assertTrue(out.episode().steps().stream().anyMatch(s -> s.stage() == Stage.ESCALATE));
  }

  @Test
  void theBudgetStopsTheCascadeAtTheFirstAnswer() {
    OfflineReplay.Outcome out = OfflineReplay.run(cascade, query, ModelCatalog.fromRecorded(data),
        Budget.rounds(1), "test", 0.0);

    assertEquals(List.of("small"), out.calls());
    assertEquals(0.0, out.score());
  }

  @Test
  void anAbstentionScoresTheAbstainValue() {
    OfflineReplay.Outcome out = OfflineReplay.run(s -> new PlanAction.Abstain("no", List.of()), query,
        ModelCatalog.fromRecorded(data), Budget.unlimited(), "test", 0.25);

    assertTrue(out.abstained());
    assertEquals(0.25, out.score());
    assertEquals(0.0, out.costUsd());
  }

  @Test
  void aPlannerThatNeverStopsIsCutOffAtTheHardRoundLimit() {
    OfflineReplay.Outcome out = OfflineReplay.run(s -> PlanAction.Route.to("small", List.of()), query,
        ModelCatalog.fromRecorded(data), Budget.unlimited(), "test", 0.0);

    assertEquals(2 * 2 + 4, out.calls().size());
    assertEquals("small", out.answerModel());
  }
}
