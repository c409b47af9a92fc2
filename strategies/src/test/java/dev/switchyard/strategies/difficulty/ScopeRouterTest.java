package dev.switchyard.strategies.difficulty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.bandit.Scripted;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.planner.Synthetic;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SCOPE trained on the planners' seeded synthetic world (see {@link Synthetic}). */
class ScopeRouterTest {
  private static final RecordedDataset TRAIN = Synthetic.world(300, "train", 1);
  private static final List<ModelCard> CARDS = ModelCatalog.fromRecorded(TRAIN);

  @Test
  void scopeSendsEasyQueriesToTheSmallModelAndHardOnesToTheBigOne() {
    ScopeRouter scope = new ScopeRouter();
    scope.fit(TRAIN, StrategyContext.seeded(5));
    Planner p = scope.planner(0.5);
    assertEquals("small", Scripted.firstRoute(p, PlanState.start(
        new Query("e", List.of(ChatMessage.user(Synthetic.EASY)), "qa", null), CARDS)));
    assertEquals("big", Scripted.firstRoute(p, PlanState.start(
        new Query("h", List.of(ChatMessage.user(Synthetic.HARD)), "qa", null), CARDS)));
    assertTrue(scope.correctness("small", Synthetic.EASY, "qa", null) > 0.9);
  }
}
