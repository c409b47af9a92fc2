package dev.switchyard.actors.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.metrics.MetricsSettings;
import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Response;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A learner's reward-signal calls, scripted: what is learned, asked, counted, for each answer the calls get. */
class SignalCallsTest {
  private static final EngineSettings.RewardSignalSettings SETTINGS =
      new EngineSettings.RewardSignalSettings("Q: {query}\nA: {answer}\nScore 1-10:", 1, 10, 16);
  private static final long AFTER = 60_000;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FeedbackWindow window = new FeedbackWindow(Duration.ofHours(1), 100);
  private final List<BackendRequest> calls = new ArrayList<>();
  private final List<String> cancelled = new ArrayList<>();
  private final List<Episode> learned = new ArrayList<>();

  private SignalCalls signalCalls(RewardSignal reward) {
    EngineMetrics metrics = new EngineMetrics(registry, MetricsSettings.from(NodeConfig.load()), List.of("m", "judge"));
    return new SignalCalls("p", reward, window, new RewardSignals(reward, SETTINGS), metrics,
        LoggerFactory.getLogger(SignalCallsTest.class), Duration.ofMillis(AFTER), Duration.ofSeconds(5), calls::add,
        cancelled::add, learned::add);
  }

  private static Episode answered(String queryId, Double confidence) {
    Response r = new Response("m", "x = 5", 10, 5, 1, 0.001, 0, confidence, null, null);
    return new Episode(queryId, "p", "math", "If 3x + 7 = 22, what is x?", List.of(EpisodeStep.generated(1, r)), "m",
        "x = 5", 0.001, 1, null, 1, 0, 1);
  }

  private static ModelPool.CallAnswered judged(String queryId, String text) {
    return new ModelPool.CallAnswered(queryId + RewardSignals.ATTEMPT_SUFFIX,
        new Response("judge", text, 20, 1, 1, 0.0005, 0, null, null, null));
  }

  private double counted(String outcome) {
    Counter c = registry.find("switchyard.learner.reward.signals").tags("pipeline", "p", "outcome", outcome)
        .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aConfidenceIsLearnedAtOnceOnceSignalAfterHasPassed() {
    SignalCalls signals = signalCalls(RewardSignal.confidence());
    window.finished(answered("q1", -0.5), 0);
    signals.due(AFTER - 1);
    assertTrue(learned.isEmpty(), "a feedback may still come");
    signals.due(AFTER);
    assertEquals(1, learned.size());
    assertEquals(Math.exp(-0.5), learned.get(0).score(), 1e-12);
    assertEquals(1, counted("learned"));
    assertTrue(calls.isEmpty());
  }

  @Test
  void anEpisodeWithoutASignalIsCountedAndNotLearned() {
    SignalCalls signals = signalCalls(RewardSignal.confidence());
    window.finished(answered("q1", null), 0);
    signals.due(AFTER);
    assertTrue(learned.isEmpty());
    assertEquals(1, counted("no_signal"));
  }

  @Test
  void aJudgeIsAskedAndItsScoreLearnedWhenItAnswers() {
    SignalCalls signals = signalCalls(RewardSignal.judge("judge", null));
    window.finished(answered("q1", null), 0);
    signals.due(AFTER);
    assertEquals(1, calls.size());
    assertEquals("q1" + RewardSignals.ATTEMPT_SUFFIX, calls.get(0).attemptId());
    assertEquals("judge", calls.get(0).modelId());
    assertTrue(learned.isEmpty(), "nothing waits for the call");

    signals.reply(new ModelPool.CallAdmitted(calls.get(0).attemptId(), null), AFTER + 1); // the pool ref is not read here
    assertTrue(cancelled.isEmpty(), "admitted: its answer follows, the timeout stays");
    signals.reply(judged("q1", "8"), AFTER + 2);
    assertEquals(List.of("q1/reward"), cancelled);
    assertEquals(7.0 / 9, learned.get(0).score(), 1e-12, "8 on the scale 1..10");
    assertEquals(1, counted("learned"));
  }

  @Test
  void aReplyThatIsNoScoreLeavesTheQueryToAFeedback() {
    SignalCalls signals = signalCalls(RewardSignal.judge("judge", null));
    window.finished(answered("q1", null), 0);
    signals.due(AFTER);
    signals.reply(judged("q1", "it looks right to me"), AFTER + 1);
    assertTrue(learned.isEmpty());
    assertEquals(1, counted("unparsable"));
    assertTrue(window.feedback("q1", 0.4, false, AFTER + 2) instanceof FeedbackWindow.Learn,
        "a feedback still scores it");
  }

  @Test
  void aFailedOrTimedOutCallIsCountedAndALateAnswerIsSuperseded() {
    SignalCalls signals = signalCalls(RewardSignal.judge("judge", null));
    window.finished(answered("q1", null), 0);
    window.finished(answered("q2", null), 0);
    signals.due(AFTER);
    assertEquals(2, calls.size());
    signals.reply(new ModelPool.CallFailed("q1/reward", "judge", FailureKind.SERVER_ERROR, "500", -1), AFTER + 1);
    signals.timedOut("q2/reward", AFTER + 5000);
    assertEquals(2, counted("failed"));
    assertNull(window.awaitedSignal("q2"));
    signals.reply(judged("q2", "9"), AFTER + 6000);
    assertEquals(1, counted("superseded"), "the answer came after the timeout");
    assertTrue(learned.isEmpty());
  }
}
