package dev.switchyard.strategies.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchyard.protocol.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregationTest {
  private static Response said(String model, String text) {
    return new Response(model, text, 1, 1, 1, 0, 0, null, null, null);
  }

  @Test
  void normalisesCaseWhitespaceAndTrailingPunctuation() {
    assertEquals("paris", Aggregation.normalise("  Paris. "));
    assertEquals("b", Aggregation.normalise("B!"));
  }

  @Test
  void agreementIsTheShareOfIdenticalAnswers() {
    List<Response> all = List.of(said("a", "B"), said("b", "b."), said("c", "C"), said("d", "B"));

    assertEquals(0.75, Aggregation.agreement(all.get(0), all));
    assertEquals(0.25, Aggregation.agreement(all.get(2), all));
  }

  @Test
  void unweightedVoteBreaksTiesByFirstSeen() {
    Response winner = Aggregation.weightedVote(List.of(said("a", "X"), said("b", "Y")), r -> 1.0);

    assertEquals("a", winner.modelId());
  }

  @Test
  void refusesToAggregateNothing() {
    assertThrows(IllegalArgumentException.class, () -> Aggregation.weightedVote(List.of(), r -> 1.0));
  }
}
