package dev.switchyard.actors.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.query.QueryEvent.AttemptFailed;
import dev.switchyard.actors.query.QueryEvent.ModelAnswered;
import dev.switchyard.actors.query.QueryEvent.ModelRouted;
import dev.switchyard.actors.query.QueryEvent.QueryAbstained;
import dev.switchyard.actors.query.QueryEvent.QueryAccepted;
import dev.switchyard.actors.query.QueryEvent.QueryAnswered;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.Planner;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What one step of the query driver decides from a recorded run: the planner's choice, unless the run is waiting,
 * finished, cancelled, out of deadline or rounds, broke a stream, or (under the retry policy) was refused.
 */
@ExtendWith(LogCapturingExtension.class)
class QueryLogicTest {
  private static final EngineSettings REROUTE = settings("reroute");
  private static final EngineSettings RETRY = settings("retry");
  private static final Set<String> FLEET = Set.of("small", "large");
  private static final Planner TO_LARGE = state -> PlanAction.Route.to("large", List.of());

  private static EngineSettings settings(String policy) {
    return EngineSettings.from(ConfigFactory.parseString("switchyard.query.rejection.policy = " + policy
        + "\nswitchyard.query.rejection.max-wait = 2s\nswitchyard.query.rejection.max-retries = 2\n"
        + "switchyard.query.max-rounds = 3").withFallback(ConfigFactory.load()));
  }

  private static QueryRun accepted(Budget budget) {
    Query query = new Query("q-1", List.of(ChatMessage.user("2+2?")), null, budget);
    return QueryRun.none().apply(new QueryAccepted(query, "p", 0, 1_000));
  }

  private static Response answer(String model, String text) {
    return new Response(model, text, 1, 1, 1, 0.01, 0, null, null, null);
  }

  private static QueryLogic.Next decide(QueryRun run, Planner planner, EngineSettings settings, long now,
      boolean retryDue) {
    return QueryLogic.decide(run, QueryLogic.Planners.fixed(planner), List.of(), FLEET, Map.of(), now, settings,
        retryDue);
  }

  private static QueryLogic.Next decide(QueryRun run, Planner planner, long now) {
    return decide(run, planner, REROUTE, now, false);
  }

  @Test
  void aRouteToAKnownModelIsACallWithTheNextAttemptNumber() {
    QueryLogic.Next next = decide(accepted(Budget.unlimited()), state -> PlanAction.Route.answeredAsIs("small",
        List.of()), 1_005);
    QueryLogic.CallModel call = assertInstanceOf(QueryLogic.CallModel.class, next);
    assertEquals(new ModelRouted(1, "small", null, List.of(), 1_005), call.routed());
    assertTrue(call.answerAsIs());
  }

  @Test
  void nothingIsDecidedWhileACallIsPendingOrOnceFinished() {
    QueryRun pending = accepted(Budget.unlimited()).apply(new ModelRouted(1, "large", null, List.of(), 1_001));
    assertInstanceOf(QueryLogic.Idle.class, decide(pending, TO_LARGE, 1_002));
    QueryRun done = pending.apply(new QueryAbstained("no", List.of(), 1_003));
    assertInstanceOf(QueryLogic.Idle.class, decide(done, TO_LARGE, 1_004));
    assertInstanceOf(QueryLogic.Idle.class, decide(QueryRun.none(), TO_LARGE, 1_004));
  }

  @Test
  void aRouteToAModelOutsideTheDeploymentFailsWithoutACall() {
    QueryLogic.Record rec = assertInstanceOf(QueryLogic.Record.class,
        decide(accepted(Budget.unlimited()), state -> PlanAction.Route.to("ghost", List.of()), 1_005));
    assertEquals(List.of(new ModelRouted(1, "ghost", null, List.of(), 1_005),
        AttemptFailed.of(1, "ghost", FailureKind.UNKNOWN_MODEL, "no model ghost in this deployment", -1,
            1_005)), rec.events());
  }

  @Test
  void aPoolThatJustPublishedEveryCircuitOpenIsRefusedWithoutACall() {
    PoolLoad open = new PoolLoad("large", 0, 0, 4, 0, 1, true, 1_000);
    QueryLogic.Next next = QueryLogic.decide(accepted(Budget.unlimited()), QueryLogic.Planners.fixed(TO_LARGE),
        List.of(), FLEET, Map.of("large", open), 1_005, REROUTE, false);
    QueryLogic.Record rec = assertInstanceOf(QueryLogic.Record.class, next);
    AttemptFailed refused = (AttemptFailed) rec.events().get(1);
    assertTrue(refused.rejected());
    assertEquals(FailureKind.CIRCUIT_OPEN, refused.failure());
  }

  @Test
  void thePlannersAnswerEndsTheQuery() {
    QueryLogic.Finish finish = assertInstanceOf(QueryLogic.Finish.class,
        decide(accepted(Budget.unlimited()), state -> new PlanAction.Answer("4", "small", List.of()), 1_005));
    assertEquals(new QueryAnswered("4", "small", List.of(), 1_005), finish.event());
  }

  @Test
  void aPlannerThatThrowsAbstains() {
    QueryLogic.Finish finish = assertInstanceOf(QueryLogic.Finish.class, decide(accepted(Budget.unlimited()),
        state -> {
          throw new IllegalStateException("boom");
        }, 1_005));
    assertEquals(new QueryAbstained("planner failed: java.lang.IllegalStateException: boom", List.of(), 1_005),
        finish.event());
  }

  @Test
  void aPassedDeadlineAnswersWithTheLastResponseWhateverThePlannerWants() {
    QueryRun run = accepted(new Budget(0, 0, 100)).apply(new ModelRouted(1, "small", null, List.of(), 1_010))
        .apply(new ModelAnswered(1, answer("small", "5"), 1_050));
    QueryLogic.Finish finish = assertInstanceOf(QueryLogic.Finish.class, decide(run, TO_LARGE, 1_100));
    QueryAnswered answered = assertInstanceOf(QueryAnswered.class, finish.event());
    assertEquals("5", answered.text());
    assertEquals("forced: deadline of 100 ms exceeded", answered.decisions().get(0).decision());
    assertEquals(Stage.ANSWER, answered.decisions().get(0).stage());
  }

  @Test
  void theRoundCapWithoutAnyAnswerAbstains() {
    QueryRun run = accepted(Budget.unlimited());
    for (int n = 1; n <= 3; n++) {
      run = run.apply(new ModelRouted(n, "small", null, List.of(), 1_000 + n))
          .apply(new AttemptFailed(n, "small", false, "ERROR", "500", -1, 1_000 + n));
    }
    QueryLogic.Finish finish = assertInstanceOf(QueryLogic.Finish.class, decide(run, TO_LARGE, 1_010));
    assertEquals(new QueryAbstained("round cap of 3 reached", List.of(), 1_010), finish.event());
  }

  @Test
  void aCancelledQueryEndsWithItsReason() {
    QueryRun run = accepted(Budget.unlimited()).apply(new QueryEvent.QueryCancelled("job cancelled", 1_001));
    assertEquals(new QueryAbstained("job cancelled", List.of(), 1_002),
        assertInstanceOf(QueryLogic.Finish.class, decide(run, TO_LARGE, 1_002)).event());
  }

  @Test
  void aBrokenStreamEndsWithoutAnotherModel() {
    QueryRun run = accepted(Budget.unlimited()).apply(new ModelRouted(1, "small", null, List.of(), 1_001))
        .apply(new AttemptFailed(1, "small", false, "STREAM_BROKEN", "reset", -1, 1_002));
    QueryAbstained abstained = assertInstanceOf(QueryAbstained.class,
        assertInstanceOf(QueryLogic.Finish.class, decide(run, TO_LARGE, 1_003)).event());
    assertEquals("error: STREAM_BROKEN: reset", abstained.reason());
  }

  @Test
  void underTheRetryPolicyARefusalWaitsItsRetryAfterThenCallsTheSameModelAgain() {
    QueryRun run = accepted(Budget.unlimited()).apply(new ModelRouted(1, "small", null, List.of(), 1_001))
        .apply(new AttemptFailed(1, "small", true, "POOL_FULL", "full", 5_000, 1_002));
    assertEquals(new QueryLogic.Wait(2_000), decide(run, TO_LARGE, RETRY, 1_003, false),
        "the pool's 5 s retry-after is bounded by max-wait");
    QueryLogic.CallModel call = assertInstanceOf(QueryLogic.CallModel.class, decide(run, TO_LARGE, RETRY, 3_003,
        true));
    assertEquals("small", call.routed().modelId());
    assertEquals(2, call.routed().attemptNo());
    assertEquals("retry after rejection 1/2", call.routed().decisions().get(0).decision());
  }

  @Test
  void underTheReroutePolicyARefusalGoesBackToThePlanner() {
    QueryRun run = accepted(Budget.unlimited()).apply(new ModelRouted(1, "small", null, List.of(), 1_001))
        .apply(new AttemptFailed(1, "small", true, "POOL_FULL", "full", 5_000, 1_002));
    QueryLogic.CallModel call = assertInstanceOf(QueryLogic.CallModel.class, decide(run, TO_LARGE, 1_003));
    assertEquals("large", call.routed().modelId());
  }
}
