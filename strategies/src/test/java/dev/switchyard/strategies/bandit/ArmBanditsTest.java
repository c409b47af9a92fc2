package dev.switchyard.strategies.bandit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.ModelCard;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exact behaviour and seeded statistics of the context-free bandits. */
class ArmBanditsTest {
  private static final RewardModel QUALITY = RewardModel.costOnly(0, 1);
  private static final String TEXT = "Who wrote Hamlet?";

  @Test
  void metaLlmTriesUntriedModelsInDeploymentOrderThenPicksByUcb() {
    Ucb1Bandit b = Ucb1Bandit.metaLlm("m", RewardModel.costOnly(0.5, 4e-4), 0.1);
    var cards = Scripted.threeCards();
    assertEquals("a", Scripted.firstRoute(b.planner(), Scripted.state("1", TEXT, cards)));
    b.learn(Scripted.single("1", TEXT, "a", 1, 1e-4));
    assertEquals("b", Scripted.firstRoute(b.planner(), Scripted.state("2", TEXT, cards)));
    b.learn(Scripted.single("2", TEXT, "b", 0, 2e-4));
    b.learn(Scripted.single("3", TEXT, "c", 1, 4e-4));
    // rewards: a = 1 - 0.5*0.25 = 0.875, b = -0.25, c = 0.5; equal pulls, so the best mean wins.
    assertEquals(0.875, b.meanReward("a"), 1e-12);
    assertEquals("a", Scripted.firstRoute(b.planner(), Scripted.state("4", TEXT, cards)));
  }

  @Test
  void metaLlmIsUcb1OverTheDeploymentWithTheBonusScaledByTheRewardRange() {
    // cost weight 1 gives range 2, so MetaLLM's exploration 0.25 is UCB1's 0.5 over the same three arms
    Ucb1Bandit metaLlm = Ucb1Bandit.metaLlm("b", RewardModel.costOnly(1, 4e-4), 0.25);
    Ucb1Bandit ucb1 = new Ucb1Bandit("b", List.of("a", "b", "c"), 1, 4e-4, 0.5);
    var cards = Scripted.threeCards();
    var episodes = Scripted.scriptedEpisodes(40);
    for (int i = 0; i < episodes.size(); i++) {
      var state = Scripted.state("q" + i, TEXT, cards);
      assertEquals(Scripted.firstRoute(ucb1.planner(), state), Scripted.firstRoute(metaLlm.planner(), state), "query " + i);
      ucb1.learn(episodes.get(i));
      metaLlm.learn(episodes.get(i));
    }
    assertEquals(ucb1.meanReward("a"), metaLlm.meanReward("a"), 0);
    assertEquals(40, ucb1.episodesLearned());
  }

  @Test
  void metaLlmRegretOnASyntheticThreeArmProblemStaysLogarithmic() {
    // Bernoulli arms 0.3 / 0.5 / 0.7, 3000 rounds, seed 42. UCB1's bound gives O(sum ln T / gap); we accept
    // at most 120 (a uniform policy loses 0.2 * 3000 = 600).
    double[] p = {0.3, 0.5, 0.7};
    Ucb1Bandit b = Ucb1Bandit.metaLlm("m", QUALITY, 1.0);
    double[] r = Scripted.play(b, Scripted.threeCards(), p, new double[3], 3000, 42, QUALITY);
    double total = java.util.Arrays.stream(r).sum();
    double regret = 0.7 * 3000 - total;
    assertTrue(regret < 120, "regret " + regret);
  }

  @Test
  void thompsonDrawsAreReproducibleFromTheSeedAndQueryId() {
    ThompsonRouter t = new ThompsonRouter("ts", QUALITY, 0.5, 0.5, 99);
    t.learn(Scripted.single("x", TEXT, "a", 1, 0));
    var cards = Scripted.threeCards();
    // Replicate the draws: one Gaussian per model in deployment order from Random(mix(99, "q7")).
    Random rnd = Seeds.forQuery(99, "q7");
    double a = 1.5 / 2 + 0.5 / Math.sqrt(2) * rnd.nextGaussian();
    double b = 0.5 + 0.5 * rnd.nextGaussian();
    double c = 0.5 + 0.5 * rnd.nextGaussian();
    String expected = a >= b && a >= c ? "a" : b >= c ? "b" : "c";
    assertEquals(expected, Scripted.firstRoute(t.planner(), Scripted.state("q7", TEXT, cards)));
    assertEquals(0.75, t.posteriorMean("a"), 1e-12);
  }

  @Test
  void thompsonRegretOnASyntheticThreeArmProblemIsSmall() {
    double[] p = {0.3, 0.5, 0.7};
    ThompsonRouter t = new ThompsonRouter("ts", QUALITY, 0.5, 0.5, 7);
    double[] r = Scripted.play(t, Scripted.threeCards(), p, new double[3], 3000, 42, QUALITY);
    double regret = 0.7 * 3000 - java.util.Arrays.stream(r).sum();
    assertTrue(regret < 120, "regret " + regret);
  }

  @Test
  void tiUcbDetectsADropAtTheFourthBadRewardAndResetsToItsWindow() {
    TiUcbBandit b = new TiUcbBandit("ti", QUALITY, 0.5, 5, 0.05);
    for (int i = 0; i < 10; i++) {
      assertFalse(b.observe("a", 1.0));
    }
    // Two-sample Hoeffding test with w = 5: after k zeros (n = 10 + k) the gap is k/5 and the bound is
    // sqrt(ln(40)/2 * (1/5 + 1/(5 + k))): 0.822, 0.795, 0.774, 0.758 for k = 1..4, so k = 4 (gap 0.8) fires.
    for (int k = 1; k <= 3; k++) {
      assertFalse(b.observe("a", 0.0), "no change yet after " + k + " zeros");
    }
    assertTrue(b.observe("a", 0.0));
    assertEquals(1, b.changesDetected());
    // Reset keeps only the window [1, 0, 0, 0, 0].
    assertEquals(0.2, b.meanReward("a"), 1e-12);
  }

  @Test
  void tiUcbAbandonsADegradedModelFasterThanUcbWithoutReset() {
    // Arm a is best (0.8) for 1500 rounds, then drops to 0.2; b stays at 0.6.
    List<ModelCard> cards = List.of(Scripted.card("a", 0, 0.5), Scripted.card("b", 0, 0.5));
    TiUcbBandit ti = new TiUcbBandit("ti", QUALITY, 0.5, 50, 0.01);
    Ucb1Bandit ucb = Ucb1Bandit.metaLlm("m", QUALITY, 0.5);
    int tiOnA = afterDropPullsOfA(ti, cards);
    int ucbOnA = afterDropPullsOfA(ucb, cards);
    assertTrue(ti.changesDetected() >= 1);
    assertTrue(tiOnA * 2 < ucbOnA, "TI-UCB pulled a " + tiOnA + " times after the drop, UCB " + ucbOnA);
  }

  private static int afterDropPullsOfA(dev.switchyard.strategies.learn.OnlineLearner l, List<ModelCard> cards) {
    Random rnd = new Random(3);
    int onA = 0;
    for (int t = 0; t < 3000; t++) {
      String m = Scripted.firstRoute(l.planner(), Scripted.state("q" + t, TEXT, cards));
      double p = m.equals("a") ? (t < 1500 ? 0.8 : 0.2) : 0.6;
      l.learn(Scripted.single("q" + t, TEXT, m, rnd.nextDouble() < p ? 1 : 0, 0));
      if (t >= 1500 && m.equals("a")) {
        onA++;
      }
    }
    return onA;
  }
}
