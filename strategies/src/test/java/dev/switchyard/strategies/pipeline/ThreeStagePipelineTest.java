package dev.switchyard.strategies.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreeStagePipelineTest {
  private static final List<ModelCard> CARDS = List.of(card("small"), card("mid"), card("large"));
  private static final RouteDecision CHAIN = new RouteDecision(List.of("small", "mid", "large"), 0.7, "chain");

  private static ModelCard card(String id) {
    return new ModelCard(id, 1, 1, 1000, 100, 0.1, Map.of());
  }

  private static Response answer(String model, String text, double confidence, double cost) {
    return new Response(model, text, 10, 1, 50, cost, 0, confidence, null, null);
  }

  private static PlanState start(Budget budget) {
    return PlanState.start(new Query("q1", List.of(ChatMessage.user("2+2?")), null, budget), CARDS);
  }

  /** Accepts above 0.8, else escalates along the chain; confidence is the response's own signal. */
  private static ThreeStagePipeline thresholdPipeline() {
    return new ThreeStagePipeline(state -> CHAIN, (state, r) -> r.confidence(),
        (state, confidence, route) -> confidence >= 0.8 ? Escalation.accept()
            : route.ranking().stream().filter(m -> !state.tried(m)).findFirst()
                .<Escalation>map(Escalation.EscalateTo::new).orElse(Escalation.accept()));
  }

  @Test
  void routesFirstToTheHeadOfTheRankingAndRecordsThePreRoute() {
    PlanAction action = thresholdPipeline().next(start(Budget.unlimited()));

    PlanAction.Route route = assertInstanceOf(PlanAction.Route.class, action);
    assertEquals("small", route.modelId());
    assertEquals(Stage.PRE_ROUTE, route.trace().get(0).stage());
    assertEquals(0.7, route.trace().get(0).signal());
  }

  @Test
  void escalatesWhenConfidenceBelowThreshold() {
    PlanState state = start(Budget.unlimited()).with(Attempt.answered(answer("small", "5", 0.3, 0.01)));

    PlanAction.Route route = assertInstanceOf(PlanAction.Route.class, thresholdPipeline().next(state));

    assertEquals("mid", route.modelId());
    assertEquals(List.of(Stage.VERIFY, Stage.ESCALATE), route.trace().stream().map(d -> d.stage()).toList());
  }

  @Test
  void acceptsWhenConfidenceReachesThreshold() {
    PlanState state = start(Budget.unlimited()).with(Attempt.answered(answer("small", "4", 0.9, 0.01)));

    PlanAction.Answer answer = assertInstanceOf(PlanAction.Answer.class, thresholdPipeline().next(state));

    assertEquals("4", answer.text());
    assertEquals("small", answer.modelId());
  }

  @Test
  void spillsToTheNextModelWhenAPoolRefused() {
    PlanState state = start(Budget.unlimited()).with(Attempt.failed("small", "rejected"));

    PlanAction.Route route = assertInstanceOf(PlanAction.Route.class, thresholdPipeline().next(state));

    assertEquals("mid", route.modelId());
  }

  @Test
  void skipsModelsWhoseCircuitIsOpen() {
    PlanState state = start(Budget.unlimited())
        .withLoad(Map.of("small", new PoolLoad("small", 0, 0, 10, 0, 1.0, true, 0)), 0);

    PlanAction.Route route = assertInstanceOf(PlanAction.Route.class, thresholdPipeline().next(state));

    assertEquals("mid", route.modelId());
  }

  @Test
  void answersWithTheMostConfidentResponseWhenRoundsRunOut() {
    PlanState state = start(Budget.rounds(2))
        .with(Attempt.answered(answer("small", "5", 0.6, 0.01)))
        .with(Attempt.answered(answer("mid", "4", 0.4, 0.02)));

    PlanAction.Answer answer = assertInstanceOf(PlanAction.Answer.class, thresholdPipeline().next(state));

    assertEquals("small", answer.modelId());
    assertEquals("5", answer.text());
  }

  @Test
  void stopsWhenTheCostBudgetIsSpent() {
    PlanState state = start(new Budget(0.01, 0, 0)).with(Attempt.answered(answer("small", "5", 0.1, 0.01)));

    assertInstanceOf(PlanAction.Answer.class, thresholdPipeline().next(state));
  }

  @Test
  void abstainsWhenEveryRankedModelFailed() {
    PlanState state = start(Budget.unlimited())
        .with(Attempt.failed("small", "rejected"))
        .with(Attempt.failed("mid", "error: 500"))
        .with(Attempt.failed("large", "rejected"));

    PlanAction.Abstain abstain = assertInstanceOf(PlanAction.Abstain.class, thresholdPipeline().next(state));

    assertEquals("every ranked model refused or failed", abstain.reason());
  }

  @Test
  void aggregatesByConfidenceWeightedVote() {
    ThreeStagePipeline voting = new ThreeStagePipeline(state -> CHAIN, (state, r) -> r.confidence(),
        (state, c, route) -> state.round() < 3
            ? new Escalation.EscalateTo(route.ranking().get(state.round())) : new Escalation.Aggregate());
    PlanState state = start(Budget.unlimited())
        .with(Attempt.answered(answer("small", "B", 0.5, 0.01)))
        .with(Attempt.answered(answer("mid", "b.", 0.4, 0.01)))
        .with(Attempt.answered(answer("large", "C", 0.8, 0.01)));

    PlanAction.Answer answer = assertInstanceOf(PlanAction.Answer.class, voting.next(state));

    assertEquals("small", answer.modelId(), "B and b. together weigh 0.9 > C's 0.8; small is B's strongest voice");
  }
}
