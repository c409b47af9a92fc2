package dev.switchyard.actors.query;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.cascade;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.QueryProgress;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.plan.PlanAction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The query driver on a one-node cluster: cascades, budgets, rejections, streaming, idempotency. */
@ExtendWith(LogCapturingExtension.class)
class QueryActorTest {
  static TestBackend small = TestBackend.answering("small", "four?", 0.3, 0.001, 0.0);
  static TestBackend mid = TestBackend.answering("mid", "4 maybe", 0.5, 0.001, 0.0);
  static TestBackend large = TestBackend.answering("large", "4", 0.95, 0.01, 1.0);
  static TestBackend slow = TestBackend.delayed("slow", 5_000, "late", 0.99);
  static TestBackend paced = TestBackend.delayed("paced", 300, "4", 0.99);
  static TestBackend jammed = new TestBackend("jammed", r -> new CompletableFuture<>());
  static EngineHarness node;

  @BeforeAll
  static void start() {
    Map<String, List<InferenceBackend>> backends = Map.of("small", List.of(small), "mid", List.of(mid),
        "large", List.of(large), "slow", List.of(slow), "paced", List.of(paced), "jammed", List.of(jammed));
    EngineSetup setup = new EngineSetup(
        List.of(card("small", 1), card("mid", 2), card("large", 10), card("slow", 1), card("paced", 1),
            card("jammed", 1)),
        backends,
        List.of(
            PipelineDefinition.fixed("cascade", "", EngineHarness.TEST_INFO,
                cascade(List.of("small", "mid", "large"), 0.9)),
            PipelineDefinition.fixed("slow-only", "", EngineHarness.TEST_INFO, cascade(List.of("slow"), 0.9)),
            PipelineDefinition.fixed("paced", "", EngineHarness.TEST_INFO, cascade(List.of("paced"), 0.9)),
            PipelineDefinition.fixed("jam-only", "", EngineHarness.TEST_INFO, cascade(List.of("jammed"), 0.9)),
            PipelineDefinition.fixed("jam-first", "", EngineHarness.TEST_INFO,
                cascade(List.of("jammed", "large"), 0.9)),
            PipelineDefinition.fixed("always-small", "", EngineHarness.TEST_INFO,
                s -> PlanAction.Route.to("small", List.of()))));
    node = EngineHarness.start("query-test", EngineHarness.config(
        "switchyard.query.max-rounds = 5\nswitchyard.pool.max-queue = 2\n"
            + "switchyard.pool.max-concurrency-per-worker = 8"), setup);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void cascadeEscalatesToTheConfidentModelAndRecordsEveryStep() throws Exception {
    QueryResult r = node.await(node.engine.answer(query("cascade-1", Budget.unlimited()), "cascade",
        Durability.EPHEMERAL));
    assertEquals("4", r.answer());
    assertEquals("large", r.answerModel());
    assertEquals(List.of("small", "mid", "large"), r.modelsCalled());
    assertEquals(3, r.rounds());
    assertEquals(0.012, r.costUsd(), 1e-12);
    assertEquals(60, r.outputTokens());
    assertEquals(1.0, r.episode().score());
    List<EpisodeStep> steps = r.episode().steps();
    assertEquals(List.of(Stage.PRE_ROUTE, Stage.GENERATE, Stage.VERIFY, Stage.ESCALATE, Stage.GENERATE,
        Stage.VERIFY, Stage.ESCALATE, Stage.GENERATE, Stage.VERIFY, Stage.ANSWER),
        steps.stream().map(EpisodeStep::stage).toList());
    assertEquals(List.of(0, 1, 1, 1, 2, 2, 2, 3, 3, 3), steps.stream().map(EpisodeStep::round).toList());
    assertEquals(1, small.called("cascade-1/1"));
    assertEquals(1, mid.called("cascade-1/2"));
    assertEquals(1, large.called("cascade-1/3"));
  }

  @Test
  void everyModelCallCarriesTheQuerysOutputTokenCap() throws Exception {
    node.await(node.engine.answer(query("capped-1", Budget.unlimited()).withMaxOutputTokens(42), "cascade",
        Durability.DURABLE));
    assertEquals(42, small.maxTokens.get("capped-1/1"));
    assertEquals(42, mid.maxTokens.get("capped-1/2"));
    assertEquals(42, large.maxTokens.get("capped-1/3"));
    node.await(node.engine.answer(query("uncapped-1", Budget.unlimited()), "cascade", Durability.EPHEMERAL));
    assertEquals(0, small.maxTokens.get("uncapped-1/1"), "0 leaves the backend's default");
  }

  @Test
  void everyModelCallCarriesTheTraceContextOfTheRequestThatAskedAndNoneWithout() throws Exception {
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    node.await(node.engine.answer(query("traced-1", Budget.unlimited()), "cascade", Durability.EPHEMERAL,
        traceparent));
    assertEquals(traceparent, small.traceparents.get("traced-1/1"));
    assertEquals(traceparent, mid.traceparents.get("traced-1/2"));
    assertEquals(traceparent, large.traceparents.get("traced-1/3"));
    node.await(node.engine.answer(query("traced-2", Budget.unlimited()), "cascade", Durability.DURABLE,
        traceparent));
    assertEquals(traceparent, large.traceparents.get("traced-2/3"));
    node.await(node.engine.answer(query("untraced-1", Budget.unlimited()), "cascade", Durability.EPHEMERAL));
    assertEquals(1, small.called("untraced-1/1"));
    assertFalse(small.traceparents.containsKey("untraced-1/1"));
  }

  @Test
  void roundBudgetForcesAnAnswerFromTheLastResponse() throws Exception {
    QueryResult r = node.await(node.engine.answer(query("rounds-1", Budget.rounds(2)), "cascade",
        Durability.EPHEMERAL));
    assertEquals(List.of("small", "mid"), r.modelsCalled());
    assertEquals("mid", r.answerModel());
    EpisodeStep last = r.episode().steps().get(r.episode().steps().size() - 1);
    assertEquals(Stage.ANSWER, last.stage());
    assertTrue(last.decision().startsWith("forced: budget exhausted"), last.decision());
    assertEquals(0, large.called("rounds-1/3"));
  }

  @Test
  void costBudgetStopsBeforeTheExpensiveModel() throws Exception {
    QueryResult r = node.await(node.engine.answer(query("cost-1", new Budget(0.0015, 0, 0)), "cascade",
        Durability.EPHEMERAL));
    assertEquals(List.of("small", "mid"), r.modelsCalled());
    assertEquals(0.002, r.costUsd(), 1e-12);
  }

  @Test
  void deadlineEndsAQueryWhoseCallIsStillRunning() throws Exception {
    QueryResult r = node.await(node.engine.answer(query("deadline-1", new Budget(0, 0, 300)), "slow-only",
        Durability.EPHEMERAL));
    assertTrue(r.abstained());
    assertTrue(r.abstainReason().startsWith("deadline of 300 ms exceeded"), r.abstainReason());
    assertEquals(0, r.rounds());
  }

  @Test
  void hardRoundCapHoldsWhateverThePlannerWants() throws Exception {
    QueryResult r = node.await(node.engine.answer(query("cap-1", Budget.unlimited()), "always-small",
        Durability.EPHEMERAL));
    assertEquals(5, r.rounds());
    assertEquals("small", r.answerModel());
    assertTrue(r.episode().steps().stream().anyMatch(s -> s.decision().startsWith("forced: round cap of 5")));
  }

  @Test
  void aRefusedCallIsReroutedByThePlanner() throws Exception {
    fill("jammed", 10); // 8 in flight + 2 queued: the next call is refused
    QueryResult r = node.await(node.engine.answer(query("reroute-1", Budget.unlimited()), "jam-first",
        Durability.EPHEMERAL));
    assertEquals("large", r.answerModel());
    assertEquals(List.of("large"), r.modelsCalled());
    assertEquals(2, r.rounds());
    EpisodeStep rejected = r.episode().steps().stream().filter(s -> s.stage() == Stage.REJECTED).findFirst()
        .orElseThrow();
    assertEquals("jammed", rejected.modelId());
    assertTrue(rejected.decision().startsWith("rejected: POOL_FULL"), rejected.decision());
    assertTrue(rejected.signal() >= 200, "retry-after at least min-retry-after, got " + rejected.signal());
    assertEquals(0, jammed.called("reroute-1/1"));
  }

  @Test
  void aQueryEveryPoolRefusesIsRejectedAsOverloadedWithARetryAfter() {
    fill("jammed", 10);
    ExecutionException e = assertThrows(ExecutionException.class, () -> node.await(node.engine.answer(
        query("overloaded-1", Budget.unlimited()), "jam-only", Durability.EPHEMERAL)));
    EngineRejection rejection = assertInstanceOf(EngineRejection.class, e.getCause());
    assertEquals(EngineRejection.Reason.OVERLOADED, rejection.reason());
    assertTrue(rejection.retryAfter().toMillis() >= 200, "retry-after " + rejection.retryAfter());
  }

  private void fill(String model, int calls) {
    TestProbe<ModelPool.CallResult> probe = node.kit.createTestProbe();
    for (int i = 0; i < calls; i++) {
      ClusterSharding.get(node.kit.system()).entityRefFor(ModelPool.TYPE_KEY, model).tell(new ModelPool.Call(
          new dev.switchyard.actors.backend.BackendRequest("filler/" + i, model, List.of(
              dev.switchyard.protocol.ChatMessage.user("x")), "x", 0), probe.getRef()));
    }
    probe.awaitAssert(EngineHarness.WAIT, () -> {
      assertEquals(8, jammed.inFlight.get());
      return null;
    });
  }

  @Test
  void streamingEmitsEveryStepThenTheResult() throws Exception {
    List<QueryProgress> progress = node.engine.answerStreaming(query("stream-1", Budget.unlimited()), "cascade",
            Durability.EPHEMERAL)
        .runWith(Sink.seq(), node.kit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    QueryProgress.Finished finished = assertInstanceOf(QueryProgress.Finished.class,
        progress.get(progress.size() - 1));
    List<EpisodeStep> streamed = progress.subList(0, progress.size() - 1).stream()
        .map(p -> ((QueryProgress.StepRecorded) p).step()).toList();
    assertEquals(finished.result().episode().steps(), streamed);
  }

  @Test
  void aRepeatedSubmitJoinsTheRunningQueryAndCallsEachModelOnce() throws Exception {
    CompletionStage<QueryResult> first = node.engine.answer(query("repeat-1", Budget.unlimited()), "paced",
        Durability.EPHEMERAL);
    CompletionStage<QueryResult> second = node.engine.answer(query("repeat-1", Budget.unlimited()), "paced",
        Durability.EPHEMERAL);
    QueryResult a = node.await(first);
    QueryResult b = node.await(second);
    assertEquals(a, b);
    assertEquals(1, paced.called("repeat-1/1"));
    QueryResult c = node.await(node.engine.answer(query("repeat-1", Budget.unlimited()), "paced",
        Durability.EPHEMERAL));
    assertEquals(a, c);
    assertEquals(1, paced.totalCalls.get() - otherPacedCalls());
  }

  private int otherPacedCalls() {
    return (int) paced.calls.keySet().stream().filter(k -> !k.startsWith("repeat-1/")).count();
  }

  @Test
  void unknownPipelineAndBadInputAreRejectedWithAReason() {
    ExecutionException unknown = assertThrows(ExecutionException.class, () -> node.await(
        node.engine.answer(query("bad-1", Budget.unlimited()), "nope", Durability.EPHEMERAL)));
    assertEquals(EngineRejection.Reason.UNKNOWN_PIPELINE, ((EngineRejection) unknown.getCause()).reason());
    ExecutionException badBudget = assertThrows(ExecutionException.class, () -> node.await(
        node.engine.answer(query("bad-2", new Budget(-1, 0, 0)), "cascade", Durability.EPHEMERAL)));
    assertEquals(EngineRejection.Reason.INVALID, ((EngineRejection) badBudget.getCause()).reason());
    // beyond switchyard.query.max-deadline (30d): refused, never an overflowing timer or ask timeout
    ExecutionException hugeDeadline = assertThrows(ExecutionException.class, () -> node.await(
        node.engine.answer(query("bad-3", new Budget(0, 0, 22_000_000_000L)), "cascade", Durability.EPHEMERAL)));
    EngineRejection tooLong = (EngineRejection) hugeDeadline.getCause();
    assertEquals(EngineRejection.Reason.INVALID, tooLong.reason());
    assertTrue(tooLong.getMessage().contains("switchyard.query.max-deadline"), tooLong.getMessage());
    ExecutionException feedback = assertThrows(ExecutionException.class, () -> node.await(
        node.engine.feedback(new dev.switchyard.protocol.Feedback("never-seen", 1.0, "test"))));
    assertEquals(EngineRejection.Reason.NOT_FOUND, ((EngineRejection) feedback.getCause()).reason(),
        "no query and in no feedback window");
  }

  @Test
  void poolsPublishTheirLoadToTheNode() {
    TestProbe<Object> probe = node.kit.createTestProbe();
    probe.awaitAssert(EngineHarness.WAIT, () -> {
      assertTrue(node.engine.load().keySet().containsAll(List.of("small", "mid", "large")), node.engine.load()
          .toString());
      assertEquals(8 + 2, node.engine.load().get("small").capacity());
      return null;
    });
  }
}
