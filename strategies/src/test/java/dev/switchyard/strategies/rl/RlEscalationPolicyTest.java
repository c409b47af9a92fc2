package dev.switchyard.strategies.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.planner.Synthetic;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RL escalation policy trained and judged on the planners' seeded synthetic world (see {@link Synthetic}). */
class RlEscalationPolicyTest {
  private static final RecordedDataset TRAIN = Synthetic.world(300, "train", 1);
  private static final RecordedDataset TEST = Synthetic.world(200, "test", 2);
  private static final List<ModelCard> CARDS = ModelCatalog.fromRecorded(TRAIN);

  /** [mean quality, mean cost] of a planner on the test world. */
  private static double[] evaluate(Planner planner) {
    double q = 0;
    double c = 0;
    for (RecordedQuery rq : TEST.queries()) {
      OfflineReplay.Outcome o = OfflineReplay.run(planner, rq, CARDS, Budget.unlimited(), "t", 0);
      q += o.score();
      c += o.costUsd();
    }
    return new double[] {q / TEST.size(), c / TEST.size()};
  }

  @Test
  void rlEscalationAcceptsConfidentAnswersAndEscalatesUnsureOnes() {
    RlEscalationPolicy rl = new RlEscalationPolicy(10, 0.2);
    rl.fit(TRAIN, StrategyContext.seeded(6));
    assertEquals(List.of("small", "big"), rl.chain());
    double[] r = evaluate(rl.planner(0.3));
    // Seeded; small alone scores 0.6, big alone 0.95 at 1e-4. Tolerance: near big's quality, ~half its cost.
    assertTrue(r[0] > 0.88, "quality " + r[0]);
    assertTrue(r[1] < 0.7e-4, "cost " + r[1]);
  }
}
