package dev.switchyard.actors.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchyard.protocol.Episode;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The feedback window: a late reward scores a kept episode once, within the window and the bound only. */
@ExtendWith(LogCapturingExtension.class)
class FeedbackWindowTest {
  private static Episode unscored(String id) {
    return new Episode(id, "p", "t", "question", List.of(), "m", "a", 0.01, 10, null, 0, 0, 0);
  }

  @Test
  void aLateRewardScoresItsEpisodeOnceWithinTheWindowAndTheBound() {
    FeedbackWindow w = new FeedbackWindow(Duration.ofHours(24), 2);
    w.finished(unscored("a"), 0);
    FeedbackWindow.Learn learn = assertInstanceOf(FeedbackWindow.Learn.class, w.feedback("a", 0.7, false, 1000));
    assertEquals(0.7, learn.scored().score());
    assertEquals(new FeedbackWindow.AlreadyRewarded(0.7, false), w.feedback("a", 0.1, false, 2000));
    assertEquals(new FeedbackWindow.AlreadyRewarded(0.7, true), w.feedback("a", 0.1, true, 2000));
    assertEquals(new FeedbackWindow.AlreadyRewarded(0.1, false), w.feedback("a", 0.5, false, 3000),
        "the replacement is the query's reward now");

    w.finished(unscored("b"), 0);
    w.finished(unscored("c"), 0);
    w.finished(unscored("d"), 0);
    assertEquals(2, w.size(), "at most max-episodes are kept, the oldest go first");
    assertInstanceOf(FeedbackWindow.Unknown.class, w.feedback("b", 1, false, 4000));
    assertInstanceOf(FeedbackWindow.Learn.class, w.feedback("d", 1, false, 4000));
    assertInstanceOf(FeedbackWindow.Unknown.class, w.feedback("c", 1, false, Duration.ofHours(25).toMillis()),
        "older than the window");
  }

  @Test
  void onlyTheTenantThatAskedAQueryRatesItAnotherIsAnsweredAsForNoQuery() {
    FeedbackWindow w = new FeedbackWindow(Duration.ofHours(24), 10);
    w.ownedBy("q", "acme");
    w.finished(unscored("q"), 0);
    assertInstanceOf(FeedbackWindow.Unknown.class, w.feedback("q", 0.0, false, "beta", 10));
    assertInstanceOf(FeedbackWindow.Unknown.class, w.feedback("q", 0.0, false, null, 10),
        "nor without a tenant");
    assertInstanceOf(FeedbackWindow.Learn.class, w.feedback("q", 1.0, false, "acme", 20));
    assertInstanceOf(FeedbackWindow.Unknown.class, w.feedback("q", 0.0, true, "beta", 30),
        "nor may another replace its reward, or learn that it has one");
    assertEquals(new FeedbackWindow.AlreadyRewarded(1.0, false), w.feedback("q", 0.5, false, "acme", 40));
  }

  @Test
  void anEpisodeLearnedThroughItsEntityIsNotLearnedAgainLate() {
    FeedbackWindow w = new FeedbackWindow(Duration.ofHours(24), 10);
    w.finished(unscored("q"), 0);
    w.learned(unscored("q").withScore(1.0), 10);
    assertEquals(new FeedbackWindow.AlreadyRewarded(1.0, false), w.feedback("q", 0.0, false, 20));
  }

  @Test
  void aSignalBeingAskedForYieldsToAFeedbackAndOneThatFailedLeavesTheQueryToAFeedback() {
    FeedbackWindow w = new FeedbackWindow(Duration.ofHours(24), 10);
    w.finished(unscored("asked"), 0);
    w.finished(unscored("failed"), 0);
    assertEquals(2, w.takeUnrewarded(600_000, 600_000).size());
    w.awaitingSignal(unscored("asked"), 600_000);
    w.awaitingSignal(unscored("failed"), 600_000);

    assertInstanceOf(FeedbackWindow.Learn.class, w.feedback("asked", 0.2, false, 601_000), "the feedback wins");
    assertEquals(null, w.awaitedSignal("asked"));
    assertEquals(null, w.signalled("asked", 0.9, 602_000), "the judge's reply comes too late");
    assertEquals(new FeedbackWindow.AlreadyRewarded(0.2, false), w.feedback("asked", 0.5, false, 603_000));

    assertEquals(true, w.signalFailed("failed", 601_000));
    assertEquals(null, w.signalled("failed", 0.9, 602_000), "not asked again, not learned from a late reply");
    assertInstanceOf(FeedbackWindow.Learn.class, w.feedback("failed", 1, false, 603_000),
        "a feedback is still its first reward");
  }

  @Test
  void aSignalThatCameIsTheQuerysRewardAndIsLearnedOnce() {
    FeedbackWindow w = new FeedbackWindow(Duration.ofHours(24), 10);
    w.finished(unscored("q"), 0);
    w.awaitingSignal(w.takeUnrewarded(10, 10).get(0), 10);

    assertEquals(0.9, w.signalled("q", 0.9, 20).score());
    assertEquals(null, w.signalled("q", 0.9, 30));
    assertEquals(new FeedbackWindow.AlreadyRewarded(0.9, false), w.feedback("q", 0.1, false, 40));
    assertEquals(false, w.learned(unscored("q").withScore(0.1), 50), "nor through a durable query's entity");
    assertEquals(true, w.learned(unscored("fed").withScore(0.1), 50), "a query's first reward through its entity");
  }
}
