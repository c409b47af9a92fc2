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
  void theAnswerKeyIsTheStatedFinalAnswerSoAnExplainedAndABareAnswerAgree() {
    assertEquals("b", Aggregation.answerKey("The capital is in option B.\nThe answer is (B)."));
    assertEquals("b", Aggregation.answerKey("B: 1"));
    assertEquals("b", Aggregation.answerKey(" b. "));
    assertEquals("5", Aggregation.answerKey("3x = 15, so x = 5. Final answer: 5"));
    assertEquals("5", Aggregation.answerKey("x = 5, so \\boxed{5.0}"));
    assertEquals("1200.5", Aggregation.answerKey("Natalia sold $1,200.50 in all.\n#### $1,200.50"));
    assertEquals("5", Aggregation.answerKey("3x = 22 - 7 = 15\nx = 5."));
    assertEquals("canberra", Aggregation.answerKey("  Canberra! "), "no stated answer: the normalised text");
    assertEquals("a. lincoln", Aggregation.answerKey("A. Lincoln"), "a name, not option A");
  }

  @Test
  void answerAgreementIsTheShareOfOtherAnswersStatingTheSameFinalAnswer() {
    assertEquals(1.0, Aggregation.answerAgreement("4", List.of("The answer is 4.")));
    assertEquals(0.0, Aggregation.answerAgreement("4", List.of("The answer is 5.")));
    assertEquals(0.5, Aggregation.answerAgreement("(C)", List.of("c", "D")));
    assertEquals(0.0, Aggregation.answerAgreement("C", List.of()), "nothing to agree with");
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
