package dev.switchyard.strategies.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class JudgeScoreTest {
  private final JudgeScore oneToTen = new JudgeScore(1, 10);

  @Test
  void aScoreOnTheScaleIsARewardInZeroToOne() {
    assertEquals(OptionalDouble.of(0.0), oneToTen.reward("1"));
    assertEquals(OptionalDouble.of(1.0), oneToTen.reward(" 10\n"));
    assertEquals(OptionalDouble.of(6 / 9.0), oneToTen.reward("Score: 7/10"));
    assertEquals(OptionalDouble.of(6 / 9.0), oneToTen.reward("rating = 7."));
    assertEquals(OptionalDouble.of(1.0), new JudgeScore(0, 1).reward("1"));
  }

  @Test
  void aReplyThatIsNotOneScoreOnTheScaleIsUnparsable() {
    assertEquals(OptionalDouble.empty(), oneToTen.reward("The answer looks right to me."));
    assertEquals(OptionalDouble.empty(), oneToTen.reward("7 or 8"));
    assertEquals(OptionalDouble.empty(), oneToTen.reward("11"));
    assertEquals(OptionalDouble.empty(), oneToTen.reward("0"));
    assertEquals(OptionalDouble.empty(), oneToTen.reward("4/5"), "another scale");
    assertEquals(OptionalDouble.empty(), oneToTen.reward(""));
    assertEquals(OptionalDouble.empty(), oneToTen.reward(null));
  }

  @Test
  void thePromptTakesTheQueryAndTheAnswer() {
    assertEquals("Q: 2+2? A: 4. Score 1-10:", JudgeScore.prompt("Q: {query} A: {answer}. Score 1-10:", "2+2?", "4"));
    assertThrows(IllegalArgumentException.class, () -> JudgeScore.prompt("Grade {query}", "q", "a"));
    assertThrows(IllegalArgumentException.class, () -> new JudgeScore(10, 1));
  }
}
