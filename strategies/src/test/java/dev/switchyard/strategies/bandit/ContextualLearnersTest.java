package dev.switchyard.strategies.bandit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.features.LexicalCues;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** MixLLM, dueling FGTS and the escalation-threshold bandit on scripted inputs. */
class ContextualLearnersTest {
  private static final String TEXT = "Who wrote Hamlet?";
  private static final RewardModel QUALITY = RewardModel.costOnly(0, 1);

  @Test
  void mixLlmQualityStepIsOneLogisticGradientStep() {
    MixLlmRouter m = new MixLlmRouter("mix", new ContextFeaturizer(0, 0), QUALITY, 0.1, 0.0, 0.05, 0, 0, 1);
    double[] x = new LexicalCues().features(TEXT);
    double xx = 0;
    for (double v : x) {
      xx += v * v;
    }
    m.learn(Scripted.single("q", TEXT, "a", 1, 0));
    // w = 0.1 * (1 - 0.5) * x, so q(x) = sigmoid(0.05 |x|^2).
    assertEquals(1 / (1 + Math.exp(-0.05 * xx)), m.predictedQuality("a", x), 1e-12);
  }

  @Test
  void mixLlmLatencyConstraintExcludesASlowModel() {
    ModelCard fast = new ModelCard("fast", 1, 1, 8000, 100, 0, Map.of("mean_cost_usd", 1e-4));
    ModelCard slow = new ModelCard("slow", 1, 1, 8000, 5000, 0, Map.of("mean_cost_usd", 1e-4));
    MixLlmRouter m = new MixLlmRouter("mix", new ContextFeaturizer(0, 0), QUALITY, 0.5, 0.0, 0.05, 1000, 0, 1);
    for (int i = 0; i < 30; i++) {
      m.learn(Scripted.single("s" + i, TEXT, "slow", 1, 1e-4));
      m.learn(Scripted.single("f" + i, TEXT, "fast", 0, 1e-4));
    }
    // The slow model predicts better quality, but its card latency (5000 ms) exceeds the 1000 ms limit.
    for (int i = 0; i < 10; i++) {
      assertEquals("fast", Scripted.firstRoute(m.planner(), Scripted.state("q" + i, TEXT, List.of(fast, slow))));
    }
  }

  @Test
  void mixLlmLearnsToPreferTheModelThatIsRight() {
    MixLlmRouter m = MixLlmRouter.standard(QUALITY, 3);
    double[] p = {0.2, 0.9, 0.4};
    double[] r = Scripted.play(m, Scripted.threeCards(), p, new double[3], 1500, 5, QUALITY);
    double lastQuarter = java.util.Arrays.stream(r, 1125, 1500).average().orElseThrow();
    // Seeded run; the best arm pays 0.9, uniform play 0.5. Tolerance: the last quarter averages above 0.75.
    assertTrue(lastQuarter > 0.75, "last-quarter reward " + lastQuarter);
  }

  @Test
  void duelUpdateFromThePriorMovesMeansByHalfTheGain() {
    DuelingFgtsRouter d = new DuelingFgtsRouter("d", new ContextFeaturizer(0, 0), QUALITY, 1.0, 0.0, 1.0, 1);
    double[] x = new LexicalCues().features(TEXT);
    double xx = 0;
    for (double v : x) {
      xx += v * v;
    }
    d.duel("a", "b", true, x);
    // p = 0.5, P_a = I + 0.25 x x^T, mu_a = P_a^-1 x * 0.5, so mu_a . x = 0.5 |x|^2 / (1 + 0.25 |x|^2).
    double expected = 0.5 * xx / (1 + 0.25 * xx);
    assertEquals(expected, d.meanUtility("a", TEXT, "qa"), 1e-12);
    assertEquals(-expected, d.meanUtility("b", TEXT, "qa"), 1e-12);
  }

  @Test
  void duelingLearnsFromPairwiseOutcomesAndCallsTwoModels() {
    DuelingFgtsRouter d = DuelingFgtsRouter.standard(QUALITY, 2);
    List<ModelCard> cards = Scripted.threeCards();
    for (int i = 0; i < 40; i++) {
      d.learn(Scripted.duel("d" + i, TEXT, "b", 1, i % 2 == 0 ? "a" : "c", 0));
    }
    assertTrue(d.meanUtility("b", TEXT, "qa") > d.meanUtility("a", TEXT, "qa"));
    assertTrue(d.meanUtility("b", TEXT, "qa") > d.meanUtility("c", TEXT, "qa"));
    var s = Scripted.state("z", TEXT, cards);
    PlanAction first = d.planner().next(s);
    String m1 = ((PlanAction.Route) first).modelId();
    s = s.with(dev.switchyard.strategies.plan.Attempt.answered(Scripted.response(m1, 1, 0)));
    String m2 = ((PlanAction.Route) d.planner().next(s)).modelId();
    assertTrue(!m1.equals(m2), "a duel calls two different models");
    s = s.with(dev.switchyard.strategies.plan.Attempt.answered(Scripted.response(m2, 1, 0)));
    PlanAction answer = d.planner().next(s);
    assertTrue(answer instanceof PlanAction.Answer);
    String expected = d.meanUtility(m1, TEXT, "qa") >= d.meanUtility(m2, TEXT, "qa") ? m1 : m2;
    assertEquals(expected, ((PlanAction.Answer) answer).modelId());
  }

  @Test
  void duelWithATieTeachesNothing() {
    DuelingFgtsRouter d = DuelingFgtsRouter.standard(QUALITY, 2);
    d.learn(Scripted.duel("d", TEXT, "a", 1, "b", 1));
    assertEquals(0, d.episodesLearned());
  }

  private static RecordedQuery recorded(String id, int cheapCorrect, double cheapConf) {
    Map<String, RecordedOutcome> o = new LinkedHashMap<>();
    o.put("a", new RecordedOutcome(cheapCorrect, 1e-4, 10, 5, 100, cheapConf, "x"));
    o.put("b", new RecordedOutcome(1, 2e-4, 10, 5, 100, -0.1, "y"));
    o.put("c", new RecordedOutcome(1, 4e-4, 10, 5, 100, -0.05, "y"));
    return new RecordedQuery(id, "qa", "test", TEXT, o);
  }

  @Test
  void thresholdBanditTriesEachThresholdOnceThenKeepsTheBestPaying() {
    // Confidence = exp(logprob). The cheap model "a" is right exactly when confident (exp(-0.05) = 0.95) and
    // wrong when not (exp(-2) = 0.135). Threshold 0.5 escalates exactly the wrong ones: best reward.
    EscalationThresholdBandit b = new EscalationThresholdBandit("tb", List.of("a", "c"),
        new double[] {0.0, 0.5, 0.99}, r -> Math.exp(r.confidence()), RewardModel.costOnly(0.5, 4e-4), 0.05);
    List<ModelCard> cards = Scripted.threeCards();
    for (int i = 0; i < 60; i++) {
      boolean easy = i % 2 == 0;
      var out = OfflineReplay.run(b.planner(), recorded("q" + i, easy ? 1 : 0, easy ? -0.05 : -2.0), cards,
          Budget.unlimited(), "tb", 0);
      if (i < 3) {
        String tag = out.episode().steps().stream()
            .filter(st -> st.stage() == dev.switchyard.protocol.Stage.PRE_ROUTE).findFirst().orElseThrow()
            .decision();
        assertEquals("threshold-arm:" + i, tag, "untried thresholds go first, in grid order");
      }
      b.learn(out.episode());
    }
    assertEquals(60, b.episodesLearned());
    assertEquals(0.5, b.bestThreshold(), 0.0);
  }
}
