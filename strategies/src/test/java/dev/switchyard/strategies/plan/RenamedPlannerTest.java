package dev.switchyard.strategies.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A planner fitted on recorded ids sees the fleet's state under those ids, and its actions come back renamed. */
class RenamedPlannerTest {
  @Test
  void theInnerPlannerSeesRecordedIdsAndTheFleetSeesItsOwn() {
    List<List<String>> seen = new ArrayList<>();
    Planner recorded = state -> {
      seen.add(state.models().stream().map(ModelCard::id).toList());
      if (state.attempts().isEmpty()) {
        return PlanAction.Route.to("llama3.1-8b", List.of(Decision.of(Stage.PRE_ROUTE, "llama3.1-8b", "cheap", 0)));
      }
      Attempt last = state.attempts().get(0);
      return new PlanAction.Answer(last.response().text(), last.modelId(), List.of());
    };
    Planner fleet = new RenamedPlanner(recorded, Map.of("acme-small", "llama3.1-8b", "acme-large", "gpt-4o"));
    Query q = new Query("q", List.of(ChatMessage.user("2+2?")), "math", Budget.unlimited());
    List<ModelCard> cards = List.of(new ModelCard("acme-small", 1, 1, 1000, 0, 0, Map.of()),
        new ModelCard("acme-large", 5, 5, 1000, 0, 0, Map.of()));
    PlanState start = PlanState.start(q, cards);

    PlanAction.Route route = assertInstanceOf(PlanAction.Route.class, fleet.next(start));
    assertEquals("acme-small", route.modelId());
    assertEquals("acme-small", route.trace().get(0).modelId());
    assertEquals(List.of("llama3.1-8b", "gpt-4o"), seen.get(0));

    Response answered = new Response("acme-small", "4", 5, 1, 10, 0.001, 0, null, null, null, null, null);
    PlanAction.Answer answer = assertInstanceOf(PlanAction.Answer.class,
        fleet.next(start.with(Attempt.answered(answered))));
    assertEquals("acme-small", answer.modelId());
    assertEquals("4", answer.text());
  }
}
