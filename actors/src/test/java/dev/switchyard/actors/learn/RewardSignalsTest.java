package dev.switchyard.actors.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Response;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What each reward signal reads from a finished episode, and what it asks the reward model. */
@ExtendWith(LogCapturingExtension.class)
class RewardSignalsTest {
  private static final EngineSettings.RewardSignalSettings SETTINGS =
      new EngineSettings.RewardSignalSettings("Q: {query}\nA: {answer}\nScore 1-10:", 1, 10, 16);

  private static Response said(String model, String text) {
    return new Response(model, text, 10, 5, 1, 0.001, 0, -0.5, null, null);
  }

  /** A cascade's episode: each model called in turn, the last one answering. */
  private static Episode answered(Response... calls) {
    List<EpisodeStep> steps = java.util.Arrays.stream(calls).map(r -> EpisodeStep.generated(0, r)).toList();
    Response last = calls[calls.length - 1];
    return new Episode("q1", "p", "math", "If 3x + 7 = 22, what is x?", steps, last.modelId(), last.text(), 0.002, 9,
        null, 1, 0, 9);
  }

  @Test
  void agreementIsTheShareOfTheOtherModelsAnswersTheEpisodeHolds() {
    RewardSignals agreement = new RewardSignals(RewardSignal.agreement("big"), SETTINGS);

    assertEquals(new RewardSignals.Reward(0.5), agreement.due(answered(said("tiny", "x = 5"), said("small", "4"),
        said("big", "The answer is 5."))), "tiny states 5 as big does, small does not");
  }

  @Test
  void agreementWithNoOtherAnswerAsksTheRewardModelTheSameQuery() {
    RewardSignals agreement = new RewardSignals(RewardSignal.agreement("big"), SETTINGS);
    Episode alone = answered(said("small", "5"));

    RewardSignals.Ask ask = assertInstanceOf(RewardSignals.Ask.class, agreement.due(alone));
    assertEquals("big", ask.request().modelId());
    assertEquals("q1/reward", ask.request().attemptId());
    assertEquals("If 3x + 7 = 22, what is x?", ask.request().messages().get(0).content());
    assertEquals(OptionalDouble.of(1.0), agreement.fromAnswer(alone, said("big", "x = 5")));
    assertEquals(OptionalDouble.of(0.0), agreement.fromAnswer(alone, said("big", "x = 15")));
  }

  @Test
  void aJudgeIsShownTheQueryAndTheAnswerAndItsScoreIsTheReward() {
    RewardSignals judge = new RewardSignals(RewardSignal.judge("big", null), SETTINGS);
    Episode e = answered(said("small", "5"));

    RewardSignals.Ask ask = assertInstanceOf(RewardSignals.Ask.class, judge.due(e));
    assertEquals("Q: If 3x + 7 = 22, what is x?\nA: 5\nScore 1-10:", ask.request().messages().get(0).content());
    assertEquals(16, ask.request().maxTokens());
    assertEquals(OptionalDouble.of(1.0), judge.fromAnswer(e, said("big", "10")));
    assertEquals(OptionalDouble.empty(), judge.fromAnswer(e, said("big", "Correct!")));
    assertEquals("Grade 5", new RewardSignals(RewardSignal.judge("big", "Grade {answer}"), SETTINGS).due(e) instanceof
        RewardSignals.Ask a ? a.request().messages().get(0).content() : null, "the pipeline's own template");
  }

  @Test
  void anAbstentionGetsNoSignal() {
    Episode abstained = new Episode("q2", "p", null, "?", List.of(), null, null, 0, 1, null, 1, 0, 1);

    for (RewardSignal s : List.of(RewardSignal.confidence(), RewardSignal.agreement("big"),
        RewardSignal.judge("big", null))) {
      assertInstanceOf(RewardSignals.NoSignal.class, new RewardSignals(s, SETTINGS).due(abstained), s.toString());
    }
  }
}
