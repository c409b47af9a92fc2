package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.preference.RouteLlmMfRouter;
import dev.switchyard.strategies.preference.RouteLlmSwRouter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** RouteLLM (MF, SW, classifier), Hybrid LLM, RouteLMT and reasoning on/off on the hand-made fixture. */
class StrongWeakRoutersTest {
  private static final List<Supplier<StrongWeakRouter>> ROUTERS = List.of(RouteLlmMfRouter::new,
      RouteLlmSwRouter::new, RouteLlmClassifierRouter::new, HybridLlmRouter::new, RouteLmtRouter::new,
      ReasoningModeRouter::new);

  @Test
  void strongIsTheBestSingleModelAndWeakTheBestAtATenthOfItsCost() {
    RouteLlmClassifierRouter r = new RouteLlmClassifierRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    assertEquals("large", r.strongModel());
    // the three tinies tie on quality (28/52): the cheapest, tiny-a, wins the tie
    assertEquals("tiny-a", r.weakModel());
  }

  @Test
  void calibratedThresholdHitsTheRequestedStrongShareOnTrainingData() {
    RecordedDataset train = Fixtures.train();
    for (Supplier<StrongWeakRouter> s : ROUTERS) {
      StrongWeakRouter r = s.get();
      r.fit(train, StrategyContext.seeded(1));
      double[] scores = r.trainingScores();
      long distinct = java.util.Arrays.stream(scores).distinct().count();
      for (double share : new double[] {0.0, 0.25, 0.5, 1.0}) {
        double t = r.threshold(share);
        long strong = java.util.Arrays.stream(scores).filter(x -> x > t).count();
        if (distinct == scores.length || share == 0.0 || share == 1.0) {
          assertEquals(Math.round(share * scores.length), strong, r.info().name() + " at share " + share);
        } else {
          // tied scores cannot be split: the share is met up to the size of the tied block
          assertTrue(Math.abs(strong - Math.round(share * scores.length)) <= scores.length - distinct + 1,
              r.info().name() + " at share " + share + ": " + strong);
        }
      }
    }
  }

  @Test
  void classifierScoresAreDistinctSoItsShareIsExact() {
    RouteLlmClassifierRouter r = new RouteLlmClassifierRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double[] scores = r.trainingScores();
    assertEquals(scores.length, java.util.Arrays.stream(scores).distinct().count());
    double t = r.threshold(0.25);
    assertEquals(13, java.util.Arrays.stream(scores).filter(x -> x > t).count());
  }

  @Test
  void atAQuarterStrongShareMathGoesStrongAndTriviaGoesWeak() {
    RecordedDataset train = Fixtures.train();
    for (Supplier<StrongWeakRouter> s : ROUTERS) {
      StrongWeakRouter r = s.get();
      r.fit(train, StrategyContext.seeded(1));
      // 20 of 52 training queries are math, where only the strong model is right
      var planner = r.planner(20 / 52.0);
      String math = route(planner, Fixtures.mathPrompt(3), "math");
      String trivia = route(planner, Fixtures.triviaPrompt(3), "trivia");
      assertEquals("large", math, r.info().name() + " on math");
      assertEquals("tiny-a", trivia, r.info().name() + " on trivia");
    }
  }

  @Test
  void shareOutsideTheUnitIntervalIsRejected() {
    RouteLmtRouter r = new RouteLmtRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.planner(1.5));
    assertTrue(e.getMessage().contains("1.5"));
  }

  @Test
  void routeLmtPredictsALargerGainOnMathThanOnTrivia() {
    RouteLmtRouter r = new RouteLmtRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double math = r.predictedGain(Fixtures.mathPrompt(30), "math");
    double trivia = r.predictedGain(Fixtures.triviaPrompt(30), "trivia");
    assertTrue(math > 0.5 && trivia < 0.2, "gain math=" + math + " trivia=" + trivia);
  }

  @Test
  void hybridLlmPicksTheRelaxationWhoseLabelsAreMostBalanced() {
    // gaps s_large - s_small: labels "gap <= t" are 1/4, 2/4, 3/4, 4/4 positive for t = 0, .2, .4, .6
    assertEquals(0.2, HybridLlmRouter.balancedRelaxation(new double[] {0, 0.2, 0.4, 0.6}), 1e-12);
    // 0/1 scores: only t = 0 separates anything
    assertEquals(0.0, HybridLlmRouter.balancedRelaxation(new double[] {1, 0, 0, -1, 1}), 1e-12);
  }

  @Test
  void hybridLlmKnowsTheSmallModelSufficesOnTrivia() {
    HybridLlmRouter r = new HybridLlmRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    assertEquals(0.0, r.relaxation());
    assertTrue(r.smallSufficesProbability(Fixtures.triviaPrompt(31), "trivia")
        > r.smallSufficesProbability(Fixtures.mathPrompt(31), "math") + 0.5);
  }

  @Test
  void reasoningRouterCategorisesFromTheTextAlone() {
    ReasoningModeRouter r = new ReasoningModeRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    assertEquals("math", r.category(Fixtures.mathPrompt(40)));
    assertEquals("trivia", r.category(Fixtures.triviaPrompt(41)));
    // the task field is ignored: a math text labelled trivia still goes to the strong model
    assertEquals("large", route(r.planner(20 / 52.0), Fixtures.mathPrompt(42), "trivia"));
  }

  static String route(dev.switchyard.strategies.plan.Planner planner, String text, String task) {
    PlanAction a = planner.next(PlanState.start(Fixtures.ask("probe", text, task), Fixtures.cards()));
    return ((PlanAction.Route) a).modelId();
  }
}
