package dev.switchyard.actors.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.query.QueryEvent.AttemptFailed;
import dev.switchyard.actors.query.QueryEvent.FeedbackReceived;
import dev.switchyard.actors.query.QueryEvent.ModelAnswered;
import dev.switchyard.actors.query.QueryEvent.ModelRouted;
import dev.switchyard.actors.query.QueryEvent.QueryAbstained;
import dev.switchyard.actors.query.QueryEvent.QueryAccepted;
import dev.switchyard.actors.query.QueryEvent.QueryAnswered;
import dev.switchyard.actors.query.QueryEvent.QueryCancelled;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What each {@link QueryEvent} does to a {@link QueryRun}: the state both query drivers share. */
@ExtendWith(LogCapturingExtension.class)
class QueryRunTest {
  private static final Query QUERY = Query.ofText("q-1", "what is 2+2?");

  private static QueryRun accepted() {
    return QueryRun.none().apply(new QueryAccepted(QUERY, "cascade", 7, 1_000));
  }

  private static Response answer(String model, String text, double cost, Double score) {
    return new Response(model, text, 10, 5, 20, cost, 0, null, score, null);
  }

  @Test
  void anEventBeforeAcceptanceIsAnError() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> QueryRun.none().apply(new QueryCancelled("stop", 1)));
    assertEquals("QueryCancelled before QueryAccepted", e.getMessage());
  }

  @Test
  void acceptanceStartsARunningQueryWithItsPolicyVersionAndClock() {
    QueryRun run = accepted();
    assertTrue(run.running());
    assertEquals("q-1", run.queryId());
    assertEquals(7, run.policyVersion());
    assertEquals(1_000, run.acceptedAtMillis());
    assertEquals(1, run.nextAttemptNo());
  }

  @Test
  void aSecondAcceptanceIsIgnored() {
    QueryRun run = accepted();
    assertSame(run, run.apply(new QueryAccepted(Query.ofText("q-1", "other"), "direct", 9, 2_000)));
  }

  @Test
  void aRouteMakesTheCallPendingAndRecordsItsDecisions() {
    EpisodeStep pre = EpisodeStep.decision(0, Stage.PRE_ROUTE, "small", "cheapest", 0.3);
    QueryRun run = accepted().apply(new ModelRouted(1, "small", "sub", List.of(pre), 1_010));
    assertEquals(new QueryRun.Pending(1, "small", "sub"), run.pending());
    assertEquals(List.of(pre), run.steps());
    assertEquals(1, run.nextAttemptNo(), "a routed call is an attempt only once it answered or failed");
  }

  @Test
  void anAnswerBecomesASucceededAttemptAndAGenerateStep() {
    Response r = answer("small", "4", 0.01, 1.0);
    QueryRun run = accepted().apply(new ModelRouted(1, "small", "sub", List.of(), 1_010))
        .apply(new ModelAnswered(1, r, 1_050));
    assertNull(run.pending());
    assertEquals(1, run.attempts().size());
    assertTrue(run.attempts().get(0).succeeded());
    assertEquals("sub", run.attempts().get(0).subQuery());
    assertEquals(EpisodeStep.generated(1, r), run.steps().get(0));
    assertEquals(-1, run.lastRetryAfterMillis());
  }

  @Test
  void aRefusalBecomesAFailedAttemptAndARejectedStepWithItsRetryAfter() {
    QueryRun run = accepted().apply(new ModelRouted(1, "small", null, List.of(), 1_010))
        .apply(new AttemptFailed(1, "small", true, "POOL_FULL", "pool small is full", 500, 1_020));
    assertEquals("rejected: POOL_FULL: pool small is full", run.attempts().get(0).failure());
    EpisodeStep step = run.steps().get(0);
    assertEquals(Stage.REJECTED, step.stage());
    assertEquals(500.0, step.signal());
    assertEquals(Optional.of(FailureKind.POOL_FULL), FailureKind.of(step));
    assertEquals(500, run.lastRetryAfterMillis());
  }

  @Test
  void aFailureWithoutRetryAfterIsAFailedStepWithoutSignal() {
    QueryRun run = accepted().apply(new ModelRouted(1, "mid", null, List.of(), 1_010))
        .apply(new AttemptFailed(1, "mid", false, "TIMEOUT", "", -1, 1_020));
    EpisodeStep step = run.steps().get(0);
    assertEquals(Stage.FAILED, step.stage());
    assertEquals("error: TIMEOUT", step.decision());
    assertTrue(Double.isNaN(step.signal()));
    assertEquals(Optional.of(FailureKind.TIMEOUT), FailureKind.of(step));
  }

  @Test
  void anAnswerEndsTheRunWithCostsOfEveryAnswerAndTheModelsActuallyCalled() {
    QueryRun run = accepted()
        .apply(new ModelRouted(1, "small", null, List.of(), 1_010))
        .apply(new AttemptFailed(1, "small", true, "POOL_FULL", "full", 100, 1_020))
        .apply(new ModelRouted(2, "mid", null, List.of(), 1_030))
        .apply(new ModelAnswered(2, answer("mid", "5", 0.02, 0.0), 1_040))
        .apply(new ModelRouted(3, "large", null, List.of(), 1_050))
        .apply(new ModelAnswered(3, answer("large", "4", 0.10, 1.0), 1_090))
        .apply(new QueryAnswered("4", "large", List.of(), 1_100));
    QueryResult result = run.result();
    assertTrue(run.finished());
    assertFalse(run.running());
    assertEquals("4", result.answer());
    assertEquals(List.of("mid", "large"), result.modelsCalled(), "a refused call reached no model");
    assertEquals(3, result.rounds());
    assertEquals(0.12, result.costUsd(), 1e-12);
    assertEquals(100.0, result.latencyMs());
    assertEquals(1.0, result.episode().score(), "the recorded score of the answer credited");
    EpisodeStep last = run.steps().get(run.steps().size() - 1);
    assertEquals(EpisodeStep.decision(3, Stage.ANSWER, "large", "answer", Double.NaN), last,
        "an answer without its own ANSWER decision gets one");
  }

  @Test
  void anAbstentionEndsTheRunWithoutAnswerAndRecordsItsReason() {
    QueryRun run = accepted().apply(new QueryAbstained("nothing fits", List.of(), 1_200));
    assertTrue(run.finished());
    assertNull(run.result().answer());
    assertEquals("nothing fits", run.result().abstainReason());
    assertEquals(List.of(EpisodeStep.decision(0, Stage.ABSTAIN, null, "nothing fits", Double.NaN)), run.steps());
  }

  @Test
  void aFinishedRunIgnoresAnotherEndAndACancel() {
    QueryRun done = accepted().apply(new QueryAbstained("no", List.of(), 1_200));
    assertSame(done, done.apply(new QueryAnswered("late", "small", List.of(), 1_300)));
    assertSame(done, done.apply(new QueryCancelled("too late", 1_300)));
  }

  @Test
  void aCancelIsRecordedOnceAndKeepsTheCallInFlight() {
    QueryRun run = accepted().apply(new ModelRouted(1, "small", null, List.of(), 1_010))
        .apply(new QueryCancelled("job cancelled", 1_020));
    assertTrue(run.cancelled());
    assertEquals("job cancelled", run.cancelReason());
    assertEquals(1, run.pending().attemptNo());
    assertSame(run, run.apply(new QueryCancelled("again", 1_030)));
  }

  @Test
  void feedbackRewardsAccumulateInOrder() {
    QueryRun run = accepted().apply(new QueryAbstained("no", List.of(), 1_200))
        .apply(new FeedbackReceived(0.2, "user", 1_300))
        .apply(new FeedbackReceived(0.9, "user", 1_400));
    assertEquals(List.of(0.2, 0.9), run.rewards());
  }
}
