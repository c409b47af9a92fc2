package dev.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineRejection.Reason;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class EngineRefusalsTest {
  private static QueryResult abstained(int rounds, EpisodeStep... steps) {
    Episode episode = new Episode("q1", "p", null, "?", List.of(steps), null, null, 0, 1, null, 0, 0, 1);
    return new QueryResult("q1", "p", null, null, List.of(), rounds, 0, 1, 0, 0, "no answer", episode);
  }

  private static EpisodeStep refused(String model, double retryAfterMillis) {
    return EpisodeStep.decision(1, Stage.REJECTED, model, "rejected: POOL_FULL: pool " + model + " is full",
        retryAfterMillis);
  }

  @Test
  void everyCallRefusedIsOverloadedWithTheLongestRetryAfter() {
    EngineRejection r = EngineRefusals.overloaded(abstained(2, refused("a", 300), refused("b", 1200))).orElseThrow();
    assertEquals(Reason.OVERLOADED, r.reason());
    assertEquals(Duration.ofMillis(1200), r.retryAfter());
    assertEquals("every model tried for query q1 refused the call: rejected: POOL_FULL: pool a is full;"
        + " rejected: POOL_FULL: pool b is full", r.getMessage());
  }

  @Test
  void aRefusalWithoutATimeStillAsksToWaitAMillisecond() {
    assertEquals(Duration.ofMillis(1), EngineRefusals.overloaded(abstained(1, refused("a", Double.NaN)))
        .orElseThrow().retryAfter());
  }

  @Test
  void aFailedCallAmongTheRefusalsIsUpstreamFailed() {
    EngineRejection r = EngineRefusals.overloaded(abstained(2, refused("a", 300),
        EpisodeStep.decision(1, Stage.FAILED, "b", "failed: SERVER_ERROR", Double.NaN))).orElseThrow();
    assertEquals(Reason.UPSTREAM_FAILED, r.reason());
    assertNull(r.retryAfter());
    assertEquals("no model answered query q1: a: rejected: POOL_FULL: pool a is full; b: failed: SERVER_ERROR",
        r.getMessage());
  }

  @Test
  void anAnswerOrAnAbstentionWithoutCallsIsNoRefusal() {
    Response answer = new Response("a", "4", 3, 5, 12.5, 0.002, 0.4, 0.9, 1.0, "note");
    assertTrue(EngineRefusals.overloaded(abstained(2, refused("a", 300), EpisodeStep.generated(2, answer)))
        .isEmpty(), "a model answered, even if the plan abstained after");
    assertTrue(EngineRefusals.overloaded(abstained(0)).isEmpty(), "no call made: the plan's own abstention");
  }

  @Test
  void aQueryEntitysRefusalKeepsItsReasonAndRetryAfter() {
    EngineRejection r = EngineRefusals.rejection(new QueryActor.Refused("JOURNAL_UNAVAILABLE", "journal down", 2000));
    assertEquals(Reason.JOURNAL_UNAVAILABLE, r.reason());
    assertEquals(Duration.ofSeconds(2), r.retryAfter());
    assertEquals("journal down", r.getMessage());
    assertNull(EngineRefusals.rejection(new QueryActor.Refused("TIMEOUT", "late", -1)).retryAfter());
  }

  @Test
  void aReasonThisNodeDoesNotKnowIsUnavailable() {
    assertEquals(Reason.UNAVAILABLE, EngineRefusals.rejection(new QueryActor.Refused("FROM_A_NEWER_NODE", "?", 5))
        .reason());
  }

  @Test
  void anAskThatRanOutIsATimeoutNamingTheOperation() {
    RuntimeException r = EngineRefusals.asRejection(new CompletionException(new TimeoutException("ask")),
        "promotion of p", Duration.ofSeconds(5));
    assertEquals(Reason.TIMEOUT, ((EngineRejection) r).reason());
    assertEquals("promotion of p did not finish within PT5S", r.getMessage());
  }

  @Test
  void aRejectionPassesThroughAndAnythingElseIsUnavailableForASecond() {
    EngineRejection conflict = new EngineRejection(Reason.CONFLICT, "taken", null);
    assertSame(conflict, EngineRefusals.asRejection(new CompletionException(conflict), "x", Duration.ofSeconds(1)));
    EngineRejection other = (EngineRejection) EngineRefusals.asRejection(new IllegalStateException("boom"),
        "status of job j", Duration.ofSeconds(1));
    assertEquals(Reason.UNAVAILABLE, other.reason());
    assertEquals(Duration.ofSeconds(1), other.retryAfter());
    assertEquals("status of job j failed: java.lang.IllegalStateException: boom", other.getMessage());
  }
}
