package dev.switchyard.strategies.preference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.difficulty.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * What the preference-trained routers learn from the hand-made fixture of the difficulty routers (see
 * {@link Fixtures}): RouteLLM's similarity-weighted ranking, P2L's leaderboards and Eagle's ratings. The
 * properties they share with the other members of their families (shares, trade-offs) are checked in
 * {@code difficulty.StrongWeakRoutersTest} and {@code difficulty.UtilityRoutersTest}.
 */
class PreferenceRoutersTest {
  @Test
  void routeLlmSwRanksStrongAboveWeakOnMathButNotOnTrivia() {
    RouteLlmSwRouter r = new RouteLlmSwRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double math = r.score(Fixtures.ask("q", Fixtures.mathPrompt(5), "math"));
    double trivia = r.score(Fixtures.ask("q", Fixtures.triviaPrompt(5), "trivia"));
    assertTrue(math > trivia, "P(strong wins) math=" + math + " trivia=" + trivia);
  }

  @Test
  void p2lLeaderboardPutsLargeFirstOnMathAndTiesOnTrivia() {
    P2lRouter r = new P2lRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double[] math = r.coefficients(Fixtures.mathPrompt(54), "math");
    double[] trivia = r.coefficients(Fixtures.triviaPrompt(54), "trivia");
    assertTrue(math[3] - math[0] > 1.0, "math gap " + (math[3] - math[0]));
    assertTrue(Math.abs(trivia[3] - trivia[0]) < math[3] - math[0], "trivia gap " + (trivia[3] - trivia[0]));
    assertTrue(r.globalCoefficients()[3] > r.globalCoefficients()[0]);
  }

  @Test
  void eagleGlobalRatingRanksLargeFirstAndLocalRatingWidensTheGapOnMath() {
    EagleRouter r = new EagleRouter();
    r.fit(Fixtures.train(), StrategyContext.seeded(1));
    double[] global = r.globalRatings();
    assertTrue(global[3] > global[0] && global[3] > global[1] && global[3] > global[2]);
    double[] math = r.ratings(Fixtures.mathPrompt(55), "math");
    double[] trivia = r.ratings(Fixtures.triviaPrompt(55), "trivia");
    assertTrue(math[3] - math[0] > trivia[3] - trivia[0], "math gap " + (math[3] - math[0]) + " trivia gap "
        + (trivia[3] - trivia[0]));
  }
}
