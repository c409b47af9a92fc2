package dev.switchyard.strategies.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.data.Replay;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgreementCascadeTest {
  private static final List<String> MODELS = List.of("small", "medium", "large");
  private RecordedDataset train;
  private RecordedDataset test;
  private List<ModelCard> cards;
  private AgreementCascade cascade;

  /**
   * Seeded synthetic outcomes: small/medium/large right with probability 0.55/0.75/0.9 (independently), costs
   * 1e-5/1e-4/1e-3; a right answer is "A" with a high log-probability, a wrong one a random other letter with
   * a spread-out one. Agreement of two models is then strong evidence of a right answer.
   */
  static RecordedDataset synthetic(int n, long seed, String split) {
    Random r = new Random(seed);
    double[] accuracy = {0.55, 0.75, 0.9};
    double[] cost = {1e-5, 1e-4, 1e-3};
    List<RecordedQuery> queries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, RecordedOutcome> o = new LinkedHashMap<>();
      for (int j = 0; j < 3; j++) {
        boolean right = r.nextDouble() < accuracy[j];
        double conf = right ? -Math.abs(r.nextGaussian() * 0.3) : -Math.abs(r.nextGaussian() * 1.5);
        String answer = right ? "A" : String.valueOf((char) ('B' + r.nextInt(3)));
        o.put(MODELS.get(j), new RecordedOutcome(right ? 1 : 0, cost[j], 100, 1, 100, conf, answer));
      }
      queries.add(new RecordedQuery(split + i, i % 2 == 0 ? "alpha" : "beta", split, "question " + i, o));
    }
    return new RecordedDataset("synthetic", MODELS, queries, true);
  }

  @BeforeEach
  void fitOnSyntheticTrainingData() {
    train = synthetic(600, 1, "train");
    test = synthetic(600, 2, "test");
    cards = ModelCatalog.fromRecorded(train);
    cascade = AgreementCascade.flagship();
    cascade.fit(train, StrategyContext.seeded(3));
  }

  private double meanQuality(Planner planner) {
    return test.queries().stream().mapToDouble(q ->
        OfflineReplay.run(planner, q, cards, Budget.unlimited(), "t", 0).score()).average().orElseThrow();
  }

  private double meanCost(Planner planner) {
    return test.queries().stream().mapToDouble(q ->
        OfflineReplay.run(planner, q, cards, Budget.unlimited(), "t", 0).costUsd()).average().orElseThrow();
  }

  @Test
  void highestCostWeightAnswersWithTheCheapestModelAlone() {
    double[] grid = cascade.tradeoffs();
    Planner cheapest = cascade.planner(grid[grid.length - 1]);
    assertEquals(test.meanScore("small"), meanQuality(cheapest), 1e-12);
    assertEquals(test.meanCost("small"), meanCost(cheapest), 1e-12);
  }

  @Test
  void consensusBeatsTheBestSingleModelAtLowerCostWhenCostIsFree() {
    Planner best = cascade.planner(0);
    double quality = meanQuality(best);
    // Votes of three independent models beat the 0.9 model alone; tolerance for the 600-query sample.
    assertTrue(quality > test.meanScore("large") + 0.01, "quality " + quality + " vs " + test.meanScore("large"));
  }

  @Test
  void frontierIsDenseAndItsCostGrowsAsTheCostWeightFalls() {
    double[] grid = cascade.tradeoffs();
    assertTrue(grid.length >= 5, "distinct policies: " + grid.length);
    assertEquals(0.0, grid[0]);
    assertTrue(meanCost(cascade.planner(grid[0])) > meanCost(cascade.planner(grid[grid.length - 1])));
  }

  @Test
  void agreeingConfidentAnswersStopTheCascadeAndDisagreementEscalates() {
    Planner planner = cascade.planner(0.1);
    assertTrue(cascade.describe(0.1).get("alpha").startsWith("small>medium>large tau=0.90"),
        cascade.describe(0.1).get("alpha"));
    Query query = new Query("q", List.of(ChatMessage.user("question")), "alpha", Budget.unlimited());
    PlanState start = PlanState.start(query, cards);
    assertEquals("small", ((PlanAction.Route) planner.next(start)).modelId());
    PlanState afterSmall = start.with(Attempt.answered(response("small", "A", -0.01)));
    // One sure answer of a 55% model is not enough at tau = 0.9.
    assertEquals("medium", ((PlanAction.Route) planner.next(afterSmall)).modelId());
    PlanAction agreed = planner.next(afterSmall.with(Attempt.answered(response("medium", "A", -0.01))));
    assertEquals("A", ((PlanAction.Answer) agreed).text());
    PlanAction disagreed = planner.next(afterSmall.with(Attempt.answered(response("medium", "C", -0.01))));
    assertEquals("large", ((PlanAction.Route) disagreed).modelId());
  }

  @Test
  void aFailedCallIsSkippedToTheNextModelOfTheChain() {
    Planner planner = cascade.planner(0);
    Query query = new Query("q", List.of(ChatMessage.user("question")), "beta", Budget.unlimited());
    PlanState start = PlanState.start(query, cards);
    String first = ((PlanAction.Route) planner.next(start)).modelId();
    PlanAction next = planner.next(start.with(Attempt.failed(first, "rejected")));
    assertInstanceOf(PlanAction.Route.class, next);
    assertTrue(!((PlanAction.Route) next).modelId().equals(first));
  }

  @Test
  void decisionsNeverDependOnTheReferenceScore() {
    Planner planner = cascade.planner(0.05);
    for (RecordedQuery q : test.queries().subList(0, 200)) {
      var withScores = OfflineReplay.run(planner, q, cards, Budget.unlimited(), "t", 0);
      var blind = OfflineReplay.run(planner, q, cards, Budget.unlimited(), "t", 0, model -> {
        Response r = Replay.response(q, model, null, null);
        return new Response(r.modelId(), r.text(), r.inputTokens(), r.outputTokens(), r.latencyMs(), r.costUsd(),
            r.energyJoules(), r.confidence(), null, null);
      });
      assertEquals(withScores.calls(), blind.calls());
      assertEquals(withScores.answerModel(), blind.answerModel());
    }
  }

  @Test
  void unseenTaskUsesThePooledPolicy() {
    Planner planner = cascade.planner(0.05);
    Query query = new Query("q", List.of(ChatMessage.user("question")), "never-seen", Budget.unlimited());
    assertInstanceOf(PlanAction.Route.class, planner.next(PlanState.start(query, cards)));
    assertTrue(cascade.describe(0.05).containsKey("*"));
  }

  @Test
  void sharedStoppingModelsAlsoBeatTheBestSingleModelWhenCostIsFree() {
    AgreementCascade shared = AgreementCascade.builder().shareStoppingModels(true).build();
    shared.fit(train, StrategyContext.seeded(3));
    double quality = meanQuality(shared.planner(0));
    assertTrue(quality > test.meanScore("large") + 0.01, "quality " + quality + " vs " + test.meanScore("large"));
  }

  @Test
  void plannerBeforeFitAndNegativeCostWeightAreRejected() {
    assertThrows(IllegalStateException.class, () -> AgreementCascade.flagship().planner(0));
    assertThrows(IllegalArgumentException.class, () -> cascade.planner(-1));
    assertThrows(IllegalArgumentException.class, () -> AgreementCascade.builder().maxDepth(0));
  }

  @Test
  void calibrationFeaturesSpreadLogProbabilitiesNearZero() {
    double[] sure = FittedAgreementCascade.calibrationFeatures(-1e-6);
    double[] lessSure = FittedAgreementCascade.calibrationFeatures(-1e-2);
    assertEquals(Math.log(1e6), sure[2], 1e-3);
    assertEquals(Math.log(Math.exp(-1e-2) / (1 - Math.exp(-1e-2))), lessSure[2], 1e-9);
    assertTrue(Double.isFinite(FittedAgreementCascade.calibrationFeatures(0.0)[2]));
  }

  private static Response response(String model, String text, double confidence) {
    return new Response(model, text, 100, 1, 100, 1e-4, 0, confidence, null, null);
  }
}
