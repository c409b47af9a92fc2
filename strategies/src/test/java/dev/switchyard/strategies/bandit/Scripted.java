package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Hand-made cards, episodes and a synthetic Bernoulli world for learner tests. */
public final class Scripted {
  private Scripted() {}

  public static final String[] TEXTS = {
    "What is 2 + 2?", "Who wrote Hamlet?", "Explain the theory of relativity in detail, please.",
    "Choices: (a) red (b) blue", "How many moons does Mars have?"
  };

  public static ModelCard card(String id, double meanCost, double quality) {
    return new ModelCard(id, 1, 1, 8000, 100, 0.5,
        Map.of("mean_cost_usd", meanCost, "prior_quality", quality, "task:qa", quality));
  }

  public static List<ModelCard> threeCards() {
    return List.of(card("a", 1e-4, 0.5), card("b", 2e-4, 0.6), card("c", 4e-4, 0.7));
  }

  public static Response response(String model, double score, double cost) {
    return new Response(model, "ans-" + model, 10, 5, 100, cost, 7.5, -0.5, score, null);
  }

  /** One routed call answered and returned. */
  public static Episode single(String queryId, String text, String model, double score, double cost) {
    Response r = response(model, score, cost);
    return new Episode(queryId, "test", "qa", text, List.of(EpisodeStep.generated(1, r)), model, r.text(), cost,
        100, score, 0, 0, 0);
  }

  /** Two calls (a duel), the first one's answer returned. */
  public static Episode duel(String queryId, String text, String a, double sa, String b, double sb) {
    Response ra = response(a, sa, 0);
    Response rb = response(b, sb, 0);
    return new Episode(queryId, "test", "qa", text, List.of(EpisodeStep.generated(1, ra),
        EpisodeStep.generated(2, rb)), a, ra.text(), 0, 200, sa, 0, 0, 0);
  }

  public static PlanState state(String queryId, String text, List<ModelCard> cards) {
    return PlanState.start(new Query(queryId, List.of(dev.switchyard.protocol.ChatMessage.user(text)), "qa",
        null), cards);
  }

  /** The first model a planner routes to. */
  public static String firstRoute(Planner planner, PlanState state) {
    PlanAction a = planner.next(state);
    if (a instanceof PlanAction.Route r) {
      return r.modelId();
    }
    throw new AssertionError("expected a route, got " + a);
  }

  /**
   * A seeded stream of episodes from a world where model i answers correctly with probability p[i] at cost
   * cost[i]; each learner decides, then learns from the replayed outcome.
   */
  public static double[] play(OnlineLearner learner, List<ModelCard> cards, double[] p, double[] cost, int rounds,
      long seed, RewardModel reward) {
    Random rnd = new Random(seed);
    double[] rewards = new double[rounds];
    for (int t = 0; t < rounds; t++) {
      String id = "q" + t;
      String text = TEXTS[t % TEXTS.length];
      PlanState s = state(id, text, cards);
      String m = firstRoute(learner.planner(), s);
      int i = indexOf(cards, m);
      double score = rnd.nextDouble() < p[i] ? 1 : 0;
      Episode e = single(id, text, m, score, cost[i]);
      learner.learn(e);
      rewards[t] = reward.of(e);
    }
    return rewards;
  }

  static int indexOf(List<ModelCard> cards, String id) {
    for (int i = 0; i < cards.size(); i++) {
      if (cards.get(i).id().equals(id)) {
        return i;
      }
    }
    throw new AssertionError("unknown model " + id);
  }

  /** Episodes from a scripted world, for snapshot tests: the model chosen by rotation. */
  public static List<Episode> scriptedEpisodes(int n) {
    List<Episode> out = new ArrayList<>();
    String[] models = {"a", "b", "c"};
    for (int t = 0; t < n; t++) {
      String m = models[t % 3];
      double score = (t * 7 % 5) < (m.equals("c") ? 4 : m.equals("b") ? 3 : 2) ? 1 : 0;
      out.add(single("s" + t, TEXTS[t % TEXTS.length], m, score, m.equals("c") ? 4e-4 : 1e-4));
    }
    return out;
  }

  /**
   * The OnlineLearner contract: a fresh instance restored from a snapshot decides exactly as the original,
   * now and after both learn the same further episodes.
   */
  public static void assertRestoreDecidesIdentically(java.util.function.Supplier<OnlineLearner> fresh,
      List<Episode> before, List<Episode> after) {
    OnlineLearner original = fresh.get();
    before.forEach(original::learn);
    OnlineLearner restored = fresh.get();
    restored.restore(original.snapshot(3, 1234));
    org.junit.jupiter.api.Assertions.assertEquals(original.episodesLearned(), restored.episodesLearned());
    compareDecisions(original, restored);
    after.forEach(original::learn);
    after.forEach(restored::learn);
    compareDecisions(original, restored);
    org.junit.jupiter.api.Assertions.assertEquals(original.snapshot(4, 0).parameters().keySet(),
        restored.snapshot(4, 0).parameters().keySet());
  }

  private static void compareDecisions(OnlineLearner x, OnlineLearner y) {
    List<ModelCard> cards = threeCards();
    for (int i = 0; i < 20; i++) {
      PlanState s = state("probe-" + i, TEXTS[i % TEXTS.length], cards);
      org.junit.jupiter.api.Assertions.assertEquals(x.planner().next(s), y.planner().next(s),
          "decision differs on probe " + i);
      PlanState after = s.with(dev.switchyard.strategies.plan.Attempt.answered(response("a", 1, 1e-4)));
      org.junit.jupiter.api.Assertions.assertEquals(x.planner().next(after), y.planner().next(after),
          "second-round decision differs on probe " + i);
    }
  }
}
