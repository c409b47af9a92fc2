package dev.switchyard.actors.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.actors.job.JobEvent.JobAccepted;
import dev.switchyard.actors.job.JobEvent.StepFinished;
import dev.switchyard.actors.job.JobEvent.StepStarted;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.QueryResult;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The job's budget as its steps spend it: what is left for the next step, and when nothing is. */
@ExtendWith(LogCapturingExtension.class)
class JobStateTest {
  private static final List<List<ChatMessage>> THREE_STEPS = List.of(List.of(ChatMessage.user("a")),
      List.of(ChatMessage.user("b")), List.of(ChatMessage.user("c")));

  private static JobState accepted(Budget budget) {
    return JobState.none().apply(new JobAccepted(new JobSpec("j", "p", THREE_STEPS, null, budget), 1_000));
  }

  private static JobState afterStep(JobState state, int index, double cost, int rounds) {
    QueryResult result = new QueryResult("j/step-" + index, "p", "x", "m", List.of("m"), rounds, cost, 1, 1, 1,
        null, null);
    return state.apply(new StepStarted(index, "j/step-" + index, Budget.unlimited(), 1_000))
        .apply(new StepFinished(index, result, 1_100));
  }

  @Test
  void theNextStepGetsWhatIsLeftOfEachLimitedDimension() {
    JobState state = afterStep(accepted(new Budget(0.05, 3, 1_000)), 0, 0.02, 2);
    Budget left = state.remainingBudget(1_400);
    assertEquals(0.03, left.maxCostUsd(), 1e-12);
    assertEquals(1, left.maxRounds());
    assertEquals(600, left.deadlineMillis());
    assertEquals(Optional.empty(), state.budgetExhausted(1_400));
  }

  @Test
  void anUnlimitedDimensionStaysUnlimited() {
    assertEquals(new Budget(0, 0, 0), afterStep(accepted(Budget.unlimited()), 0, 0.02, 2).remainingBudget(5_000));
  }

  @Test
  void eachSpentDimensionSaysWhy() {
    assertEquals(Optional.of("cost budget of 0.02 USD spent (0.02 USD)"),
        afterStep(accepted(new Budget(0.02, 0, 0)), 0, 0.02, 1).budgetExhausted(1_200));
    assertEquals(Optional.of("budget of 2 model calls used"),
        afterStep(accepted(new Budget(0, 2, 0)), 0, 0.01, 2).budgetExhausted(1_200));
    assertEquals(Optional.of("deadline of 500 ms passed"), accepted(new Budget(0, 0, 500)).budgetExhausted(1_500));
  }
}
