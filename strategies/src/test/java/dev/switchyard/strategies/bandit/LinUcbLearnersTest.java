package dev.switchyard.strategies.bandit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.features.LexicalCues;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exact LinUCB arithmetic of GreenServ and PILOT on scripted inputs. */
class LinUcbLearnersTest {
  private static final ContextFeaturizer CUES_ONLY = new ContextFeaturizer(0, 0);
  private static final String TEXT = "What is 2 + 2?";

  private static double normSquared(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return s;
  }

  @Test
  void oneObservationGivesRidgeEstimateXsqOverOnePlusXsq() {
    GreenServRouter g = new GreenServRouter("g", CUES_ONLY, RewardModel.costOnly(0, 1), 1.0, 0.0);
    g.learn(Scripted.single("q1", TEXT, "a", 1, 0));
    double xx = normSquared(new LexicalCues().features(TEXT));
    // theta = (I + x x^T)^-1 x = x / (1 + |x|^2), so theta . x = |x|^2 / (1 + |x|^2).
    assertEquals(xx / (1 + xx), g.estimate("a", TEXT, "qa"), 1e-12);
    assertEquals(0.0, g.estimate("b", TEXT, "qa"), 0.0);
  }

  @Test
  void greedyLinUcbPicksTheArmThatWasRewarded() {
    GreenServRouter g = new GreenServRouter("g", CUES_ONLY, RewardModel.costOnly(0, 1), 1.0, 0.0);
    g.learn(Scripted.single("q1", TEXT, "b", 1, 0));
    g.learn(Scripted.single("q2", TEXT, "a", 0, 0));
    assertEquals("b", Scripted.firstRoute(g.planner(), Scripted.state("q3", TEXT, Scripted.threeCards())));
  }

  @Test
  void explorationBonusSendsTheNextQueryToAnUntriedArm() {
    GreenServRouter g = new GreenServRouter("g", CUES_ONLY, RewardModel.costOnly(0, 1), 1.0, 1.0);
    // "a" observed once with reward 0.1: mean 0.1*xx/(1+xx) plus width sqrt(xx/(1+xx)) is below the width
    // sqrt(xx) of the untried arms, so the first untried arm in deployment order ("b") goes next.
    g.learn(Scripted.single("q1", TEXT, "a", 0.1, 0));
    assertEquals("b", Scripted.firstRoute(g.planner(), Scripted.state("q2", TEXT, Scripted.threeCards())));
  }

  @Test
  void energyTermLowersTheRewardOfAnEnergyHungryCall() {
    GreenServRouter g = new GreenServRouter("g", CUES_ONLY, new RewardModel(0, 1, 1.0, 7.5), 1.0, 0.0);
    g.learn(Scripted.single("q1", TEXT, "a", 1, 0));
    // Each scripted call reports 7.5 J, so the reward is 1 - 1.0 * 7.5 / 7.5 = 0.
    assertEquals(0.0, g.estimate("a", TEXT, "qa"), 1e-12);
  }

  @Test
  void pilotPacingMultiplierRisesWhenCostExceedsTheBudget() {
    PilotRouter p = PilotRouter.builder(4e-4).featurizer(CUES_ONLY).alpha(0).budgetPerQuery(1e-4).pacingRate(0.05)
        .build();
    p.learn(Scripted.single("q1", TEXT, "c", 1, 3e-4));
    // mu = max(0, 0 + 0.05 * (3e-4 - 1e-4) / 1e-4) = 0.1
    assertEquals(0.1, p.pacingMultiplier(), 1e-12);
    p.learn(Scripted.single("q2", TEXT, "a", 1, 0));
    // mu = 0.1 + 0.05 * (0 - 1e-4) / 1e-4 = 0.05
    assertEquals(0.05, p.pacingMultiplier(), 1e-12);
  }

  @Test
  void pilotPacingMovesTrafficToTheCheaperOfTwoEqualModels() {
    List<ModelCard> cards = List.of(Scripted.card("cheap", 1e-4, 0.8), Scripted.card("dear", 4e-4, 0.8));
    PilotRouter paced = PilotRouter.builder(4e-4).featurizer(CUES_ONLY).alpha(0).budgetPerQuery(1e-4).build();
    paced.learn(Scripted.single("q1", TEXT, "dear", 1, 4e-4));
    paced.learn(Scripted.single("q2", TEXT, "cheap", 1, 1e-4));
    // Equal quality estimates; the spend above budget makes mu > 0, so cost decides.
    assertEquals("cheap", Scripted.firstRoute(paced.planner(), Scripted.state("q3", TEXT, cards)));
  }

  @Test
  void pilotWarmStartFromPriorDataRoutesToThePriorsBestModelBeforeAnyFeedback() {
    var outcomes = new java.util.LinkedHashMap<String, dev.switchyard.strategies.data.RecordedOutcome>();
    outcomes.put("a", new dev.switchyard.strategies.data.RecordedOutcome(0, 1e-4, 1, 1, 1, Double.NaN, ""));
    outcomes.put("b", new dev.switchyard.strategies.data.RecordedOutcome(1, 1e-4, 1, 1, 1, Double.NaN, ""));
    outcomes.put("c", new dev.switchyard.strategies.data.RecordedOutcome(0, 1e-4, 1, 1, 1, Double.NaN, ""));
    var prior = new dev.switchyard.strategies.data.RecordedDataset("prior", List.of("a", "b", "c"),
        List.of(new dev.switchyard.strategies.data.RecordedQuery("p1", "qa", "train", TEXT, outcomes)), true);
    PilotRouter p = PilotRouter.builder(4e-4).featurizer(CUES_ONLY).alpha(0).build().warmStart(prior, 0.5);
    assertEquals("b", Scripted.firstRoute(p.planner(), Scripted.state("q1", TEXT, Scripted.threeCards())));
    assertEquals(0, p.episodesLearned());
  }

  @Test
  void aModelThatJoinsLaterIsExploredWithoutRetraining() {
    GreenServRouter g = new GreenServRouter("g", CUES_ONLY, RewardModel.costOnly(0, 1), 1.0, 1.0);
    for (int i = 0; i < 5; i++) {
      g.learn(Scripted.single("q" + i, TEXT, "a", 0.5, 0));
      g.learn(Scripted.single("r" + i, TEXT, "b", 0.5, 0));
      g.learn(Scripted.single("s" + i, TEXT, "c", 0.5, 0));
    }
    List<ModelCard> withNew = new java.util.ArrayList<>(Scripted.threeCards());
    withNew.add(Scripted.card("new", 1e-4, 0.5));
    assertTrue(Scripted.firstRoute(g.planner(), Scripted.state("z", TEXT, withNew)).equals("new"));
  }
}
