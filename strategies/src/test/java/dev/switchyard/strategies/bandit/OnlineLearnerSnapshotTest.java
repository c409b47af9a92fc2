package dev.switchyard.strategies.bandit;

import static dev.switchyard.strategies.bandit.Scripted.assertRestoreDecidesIdentically;
import static dev.switchyard.strategies.bandit.Scripted.scriptedEpisodes;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.learn.OnlineLearner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** restore(snapshot()) on a fresh instance decides identically, for every learner of this package. */
class OnlineLearnerSnapshotTest {
  private static final RewardModel REWARD = RewardModel.costOnly(0.5, 4e-4);
  private final List<Episode> before = scriptedEpisodes(30);
  private final List<Episode> after = scriptedEpisodes(45).subList(30, 45);

  @Test
  void metaLlmRestoresIdentically() {
    assertRestoreDecidesIdentically(() -> Ucb1Bandit.metaLlm("metallm", REWARD, 0.5), before, after);
  }

  @Test
  void thompsonRestoresIdentically() {
    assertRestoreDecidesIdentically(() -> new ThompsonRouter("ts", REWARD, 0.5, 0.5, 11), before, after);
  }

  @Test
  void tiUcbRestoresIdentically() {
    assertRestoreDecidesIdentically(() -> new TiUcbBandit("ti", REWARD, 0.5, 4, 0.1), before, after);
  }

  @Test
  void mixLlmRestoresIdentically() {
    assertRestoreDecidesIdentically(() -> MixLlmRouter.standard(REWARD, 5), before, after);
  }

  @Test
  void pilotRestoresIdentically() {
    assertRestoreDecidesIdentically(() -> PilotRouter.builder(4e-4).budgetPerQuery(1e-4).build(), before, after);
  }

  @Test
  void greenServRestoresIdentically() {
    assertRestoreDecidesIdentically(() -> GreenServRouter.standard(new RewardModel(0.5, 4e-4, 0.2, 10)), before,
        after);
  }

  @Test
  void duelingFgtsRestoresIdentically() {
    List<Episode> duels = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      duels.add(Scripted.duel("d" + i, Scripted.TEXTS[i % 5], i % 2 == 0 ? "a" : "c", i % 3 == 0 ? 0 : 1,
          "b", i % 4 == 0 ? 1 : 0));
    }
    assertRestoreDecidesIdentically(() -> DuelingFgtsRouter.standard(REWARD, 3), duels.subList(0, 14),
        duels.subList(14, 20));
  }

  @Test
  void thresholdBanditRestoresIdentically() {
    Supplier<OnlineLearner> fresh = () -> new EscalationThresholdBandit("tb", List.of("a", "b", "c"),
        new double[] {0.2, 0.5, 0.8}, r -> r.confidence() == null ? 0.5 : Math.exp(r.confidence()), REWARD, 0.5);
    // Episodes credited to threshold arms through their pre-route step, as the planner records them.
    List<Episode> eps = new ArrayList<>();
    OnlineLearner driver = fresh.get();
    for (int i = 0; i < 12; i++) {
      var s = Scripted.state("t" + i, Scripted.TEXTS[i % 5], Scripted.threeCards());
      var outcome = dev.switchyard.strategies.replay.OfflineReplay.run(driver.planner(),
          new dev.switchyard.strategies.data.RecordedQuery("t" + i, "qa", "test", Scripted.TEXTS[i % 5],
              Map.of("a", new dev.switchyard.strategies.data.RecordedOutcome(i % 2, 1e-4, 10, 5, 100, -0.9, "x"),
                  "b", new dev.switchyard.strategies.data.RecordedOutcome(1, 2e-4, 10, 5, 100, -0.1, "y"),
                  "c", new dev.switchyard.strategies.data.RecordedOutcome(1, 4e-4, 10, 5, 100, -0.05, "y"))),
          s.models(), dev.switchyard.protocol.Budget.unlimited(), "tb", 0);
      driver.learn(outcome.episode());
      eps.add(outcome.episode());
    }
    assertRestoreDecidesIdentically(fresh, eps.subList(0, 8), eps.subList(8, 12));
  }

  @Test
  void restoreRejectsAnotherPolicysSnapshot() {
    Ucb1Bandit b = Ucb1Bandit.metaLlm("metallm", REWARD, 0.5);
    PolicySnapshot other = new PolicySnapshot("thompson", 1, 0, Map.of(), 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.restore(other));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("thompson"), e.getMessage());
  }
}
