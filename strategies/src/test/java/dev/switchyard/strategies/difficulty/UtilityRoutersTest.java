package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.preference.EagleRouter;
import dev.switchyard.strategies.preference.P2lRouter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.strategies.Objective;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The multi-model routers on the hand-made fixture (see {@link Fixtures}). */
class UtilityRoutersTest {
  private static final List<Supplier<UtilityRouter>> LEARNED = List.of(EmbedLlmRouter::new, IrtRouter::new,
      GraphRouter::new, IclRouter::new, P2lRouter::new, EagleRouter::new, ZooterRouter::new, ArchRouter::new);

  @Test
  void atAModerateCostWeightMathGoesLargeAndTriviaGoesCheap() {
    RecordedDataset train = Fixtures.train();
    for (Supplier<UtilityRouter> s : LEARNED) {
      UtilityRouter r = s.get();
      r.fit(train, StrategyContext.seeded(1));
      // lambda = 0.3: the large model's cost (1e-3, the scale C) is worth 0.3 of quality
      Planner planner = r.planner(0.3);
      assertEquals("large", StrongWeakRoutersTest.route(planner, Fixtures.mathPrompt(50), "math"),
          r.info().name() + " on math");
      assertTrue(StrongWeakRoutersTest.route(planner, Fixtures.triviaPrompt(50), "trivia").startsWith("tiny"),
          r.info().name() + " on trivia");
    }
  }

  @Test
  void atZeroCostWeightTheTopEstimateWinsAndAtHighCostWeightTheCheapestModel() {
    IclRouter r = new IclRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    assertEquals("large", StrongWeakRoutersTest.route(r.planner(0), Fixtures.mathPrompt(51), "math"));
    assertEquals("tiny-a", StrongWeakRoutersTest.route(r.planner(30), Fixtures.mathPrompt(51), "math"));
  }

  @Test
  void latencyWeightOfTheObjectiveSteersTowardFasterModels() {
    // fixture latencies: tiny-a 100 ms, tiny-b 200 ms, tiny-c 300 ms, large 400 ms; trivia is solved by all
    IclRouter r = new IclRouter();
    r.fit(Fixtures.train(), new StrategyContext(1, Clock.systemUTC(), new Objective(0, 10, 0)));
    var route = r.route(dev.switchyard.strategies.plan.PlanState.start(
        Fixtures.ask("q", Fixtures.triviaPrompt(52), "trivia"), Fixtures.cards()), 0);
    assertEquals(List.of("tiny-a", "tiny-b", "tiny-c", "large"), route.ranking());
  }

  @Test
  void irtLearnsThatTheStrongerModelHasTheHigherAbilityAndMathIsHarder() {
    IrtRouter r = new IrtRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double[] theta = r.abilities();
    int large = Fixtures.MODELS.indexOf("large");
    for (int m = 0; m < theta.length; m++) {
      if (m != large) {
        assertTrue(theta[large] > theta[m] + 0.5, "theta large=" + theta[large] + " vs " + theta[m]);
      }
    }
    double math = r.difficultyAndDiscrimination(Fixtures.mathPrompt(53), "math")[0];
    double trivia = r.difficultyAndDiscrimination(Fixtures.triviaPrompt(53), "trivia")[0];
    assertTrue(math > trivia, "difficulty math=" + math + " trivia=" + trivia);
  }

  @Test
  void iclRouterWithOneNeighbourAndNoPriorCopiesTheNearestQuerysOutcomes() {
    IclRouter r = new IclRouter(512, 1, 0.1, 0);
    RecordedDataset train = Fixtures.train();
    r.fit(train, StrategyContext.seeded(1));
    assertArrayEquals(new double[] {0, 1, 1, 1}, r.qualityEstimates(Fixtures.votePrompt(3), "vote"), 1e-12);
    assertArrayEquals(new double[] {0, 0, 0, 1}, r.qualityEstimates(Fixtures.mathPrompt(7), "math"), 1e-12);
  }

  @Test
  void zooterTargetIsTheSoftmaxOfNormalisedRewards() {
    // rewards {1, 0}: z = {+1, -1}; at tau = 0.5, t_0 = e^2 / (e^2 + e^-2)
    double[] t = ZooterRouter.targetDistribution(new double[] {1, 0}, 0.5);
    assertEquals(Math.exp(2) / (Math.exp(2) + Math.exp(-2)), t[0], 1e-6);
    assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25},
        ZooterRouter.targetDistribution(new double[] {1, 1, 1, 1}, 0.5), 1e-12);
  }

  @Test
  void zooterDistilsTheRewardsIntoARoutingDistribution() {
    ZooterRouter r = new ZooterRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double[] math = r.routingDistribution(Fixtures.mathPrompt(56), "math");
    assertTrue(math[3] > 0.5, "P(large | math) = " + math[3]);
    double[] trivia = r.routingDistribution(Fixtures.triviaPrompt(56), "trivia");
    assertTrue(trivia[3] < 0.5, "P(large | trivia) = " + trivia[3]);
  }

  @Test
  void embedLlmPredictsCorrectnessPerModelAndQuery() {
    EmbedLlmRouter r = new EmbedLlmRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double[] math = r.qualityEstimates(Fixtures.mathPrompt(57), "math");
    double[] trivia = r.qualityEstimates(Fixtures.triviaPrompt(57), "trivia");
    assertTrue(math[3] > 0.7 && math[0] < 0.3, "math " + java.util.Arrays.toString(math));
    assertTrue(trivia[0] > 0.7, "trivia " + java.util.Arrays.toString(trivia));
  }

  @Test
  void graphRouterPredictsEdgesFromNeighboursAndTask() {
    GraphRouter r = new GraphRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double[] math = r.qualityEstimates(Fixtures.mathPrompt(58), "math");
    assertTrue(math[3] > 0.7 && math[1] < 0.3, "math " + java.util.Arrays.toString(math));
  }

  @Test
  void archRouterSendsAPolicyMatchingQueryToThePolicysModel() {
    ArchRouter r = ArchRouter.fromLines(List.of(
        "arithmetic: compute numbers plus times -> tiny-b",
        "literature: who wrote the famous novel -> large"), 0.3);
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    // whatever the cost weight, the operator's policy decides
    for (double lambda : new double[] {0, 30}) {
      assertEquals("tiny-b", StrongWeakRoutersTest.route(r.planner(lambda), Fixtures.mathPrompt(59), null));
      assertEquals("large", StrongWeakRoutersTest.route(r.planner(lambda), Fixtures.triviaPrompt(59), null));
    }
    // no policy matches: the cost-aware fallback on overall quality (cheapest at a high cost weight)
    assertEquals(-1, r.match("Choose the right letter for item 4 about rocks"));
    assertEquals("tiny-a", StrongWeakRoutersTest.route(r.planner(30), "Choose the right letter about rocks", null));
  }

  @Test
  void archRouterDerivesOnePolicyPerTrainingTaskByDefault() {
    ArchRouter r = new ArchRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    assertEquals(List.of("task:math", "task:trivia", "task:vote"),
        r.policies().stream().map(ArchRouter.RoutePolicy::name).toList());
    assertEquals(0, r.match(Fixtures.mathPrompt(60)));
    assertEquals(1, r.match(Fixtures.triviaPrompt(60)));
  }

  @Test
  void archRouterRejectsMalformedOrUnknownPolicies() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArchRouter.fromLines(List.of("no arrow here"), 0.1));
    assertTrue(e.getMessage().contains("no arrow here"));
    ArchRouter unknown = ArchRouter.fromLines(List.of("maths -> gpt-9"), 0.1);
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> unknown.fit(Fixtures.train(), StrategyContext.seeded(1)));
    assertTrue(e2.getMessage().contains("gpt-9"));
  }

  @Test
  void bestRouteRunsBestOfThreeOnCheapModelsAndAnswersWithTheVote() {
    BestRouteRouter r = new BestRouteRouter();
    RecordedDataset train = Fixtures.train();
    r.fit(train, StrategyContext.seeded(1));
    assertEquals(List.of(List.of("tiny-a"), List.of("tiny-b"), List.of("tiny-c"), List.of("large"),
        List.of("tiny-a", "tiny-b", "tiny-c")), r.options());
    // vote-0: tiny-a is wrong ("C"), tiny-b and tiny-c say "B"; three cheap calls beat one large call at lambda 1
    OfflineReplay.Outcome o = OfflineReplay.run(r.planner(1.0), Fixtures.recorded(train, "vote-0"),
        Fixtures.cards(), Budget.unlimited(), "test", 0);
    assertEquals(List.of("tiny-a", "tiny-b", "tiny-c"), o.calls());
    assertEquals(1.0, o.score());
    assertEquals("B", o.episode().answer());
    // a math query needs the large model alone
    OfflineReplay.Outcome m = OfflineReplay.run(r.planner(0.3), Fixtures.recorded(train, "math-2"),
        Fixtures.cards(), Budget.unlimited(), "test", 0);
    assertEquals(List.of("large"), m.calls());
    assertTrue(r.difficulty(Fixtures.mathPrompt(61), "math") > r.difficulty(Fixtures.triviaPrompt(61), "trivia"));
  }
}
