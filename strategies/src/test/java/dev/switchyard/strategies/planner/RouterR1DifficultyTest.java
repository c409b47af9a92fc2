package dev.switchyard.strategies.planner;

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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Router-R1's query-difficulty feature on a seeded world where the right first model depends on the query, not
 * on its task: "small" (cost 1e-5) is always right on easy questions and right 20% of the time on hard ones,
 * "big" (cost 1e-4) is right 95% of the time, and every query has the same task. Small's confidence carries no
 * signal, so a cascade cannot tell its wrong answers apart: at a moderate cost weight the best single call is
 * small for easy questions (reward about 1 - 0.1 lambda against 0.95 - lambda) and big for hard ones (0.95 - lambda
 * against 0.2 - 0.1 lambda). Without a query-dependent feature every query of a task gets the same first model.
 */
class RouterR1DifficultyTest {
  @Test
  void difficultyEstimateSeparatesEasyFromHardQueriesOfOneTask() {
    RecordedDataset train = Synthetic.world(300, "train", 5, false);
    QueryDifficulty d = QueryDifficulty.fit(train, 9);
    double easy = d.estimate(Synthetic.EASY, "qa");
    double hard = d.estimate(Synthetic.HARD, "qa");
    // Shares of models right: easy (1 + 0.95) / 2 = 0.975, hard (0.2 + 0.95) / 2 = 0.575; tolerance 0.08 for
    // the L2 shrinkage and the sampling noise of 150 queries each.
    assertEquals(0.975, easy, 0.08, "easy difficulty");
    assertEquals(0.575, hard, 0.08, "hard difficulty");
    assertEquals(0.775, d.taskMean("qa"), 0.05);
    // A card of task quality q on a query easier than its task's average gets a higher estimate, and lower on a
    // harder one.
    assertTrue(d.modelCorrectness(0.6, easy, "qa") > 0.6);
    assertTrue(d.modelCorrectness(0.6, hard, "qa") < 0.6);
  }

  @Test
  void routerR1SendsEasyAndHardQueriesOfOneTaskToDifferentFirstModels() {
    RecordedDataset train = Synthetic.world(400, "train", 1, false);
    List<ModelCard> cards = ModelCatalog.fromRecorded(train);
    RouterR1 r1 = new RouterR1(1, 16, 8, 0.2, 0.5);
    r1.fit(train, StrategyContext.seeded(3));
    var planner = r1.planner(0.35);
    Query easy = new Query("e1", List.of(ChatMessage.user(Synthetic.EASY)), "qa", null);
    Query hard = new Query("h1", List.of(ChatMessage.user(Synthetic.HARD)), "qa", null);
    assertEquals("small", Scripted.firstRoute(planner, PlanState.start(easy, cards)));
    assertEquals("big", Scripted.firstRoute(planner, PlanState.start(hard, cards)));
  }
}
