package dev.switchyard.actors.job;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.cascade;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jobs on a one-node engine: steps run in order as durable queries, budgets span steps, cancel stops before the
 * next call, submits are idempotent by id, events are numbered and replayable, and a job interrupted by an
 * ActorSystem shutdown resumes on the same H2 file without repeating a finished call.
 */
@ExtendWith(LogCapturingExtension.class)
class JobActorTest {
  /** Prompts in the order "first" saw them. */
  static final List<String> firstPrompts = new CopyOnWriteArrayList<>();
  /** Calls of "first" whose prompt starts with "hold" wait here until the test completes them. */
  static final Map<String, CompletableFuture<Response>> held = new ConcurrentHashMap<>();
  static TestBackend first = new TestBackend("first", r -> {
    firstPrompts.add(r.queryText());
    if (r.queryText().startsWith("hold")) {
      return held.computeIfAbsent(r.attemptId(), k -> new CompletableFuture<>());
    }
    // "sure ..." prompts get a confident answer (one call per step), others an unsure one (the cascade escalates).
    double confidence = r.queryText().startsWith("sure") ? 0.95 : 0.3;
    return CompletableFuture.completedFuture(TestBackend.response("first", "first:" + r.queryText(), confidence, 0.001,
        1.0));
  });
  static TestBackend second = new TestBackend("second", r -> CompletableFuture.completedFuture(
      TestBackend.response("second", "second:" + r.queryText(), 0.95, 0.01, 1.0)));
  static EngineHarness node;

  @BeforeAll
  static void start() {
    node = EngineHarness.start("job-test", EngineHarness.config(""), EngineHarness.cascadeSetup(first, second));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static JobSpec spec(String id, Budget budget, String... prompts) {
    List<List<ChatMessage>> steps = Arrays.stream(prompts).map(p -> List.of(ChatMessage.user(p))).toList();
    return new JobSpec(id, "cascade", steps, null, budget);
  }

  static JobView awaitEnd(EngineHarness h, String id) {
    TestProbe<Object> probe = h.kit.createTestProbe();
    return probe.awaitAssert(EngineHarness.WAIT, () -> {
      JobView v = h.await(h.engine.job(id));
      assertTrue(v.status().terminal(), () -> "still " + v.status());
      return v;
    });
  }

  static List<JobUpdate> events(EngineHarness h, String id, long after) throws Exception {
    return h.await(h.engine.jobEvents(id, after).runWith(Sink.seq(), h.kit.system()));
  }

  @Test
  void aMultiStepJobRunsItsStepsInOrderAsDurableQueries() throws Exception {
    JobActor.Accepted accepted = node.await(node.engine.submitJob(spec("order", Budget.unlimited(),
        "sure a", "sure b", "sure c")));
    assertTrue(accepted.created());
    assertEquals("order", accepted.job().id());

    JobView done = awaitEnd(node, "order");
    assertEquals(JobStatus.SUCCEEDED, done.status());
    assertEquals(List.of("order/step-0", "order/step-1", "order/step-2"),
        done.steps().stream().map(JobView.StepView::queryId).toList());
    List<String> seen = firstPrompts.stream().filter(p -> List.of("sure a", "sure b", "sure c").contains(p)).toList();
    assertEquals(List.of("sure a", "sure b", "sure c"), seen);
    assertEquals("first:sure c", done.answer());
    assertEquals("first", done.answerModel());
    assertEquals(3, done.rounds());
    assertEquals(0.003, done.costUsd(), 1e-12);
    for (int i = 0; i < 3; i++) {
      assertEquals(1, first.called("order/step-" + i + "/1"));
      assertEquals(List.of(Stage.PRE_ROUTE, Stage.GENERATE, Stage.VERIFY, Stage.ANSWER),
          done.steps().get(i).episodeSteps().stream().map(s -> s.stage()).toList());
    }
    assertNull(done.code());
  }

  @Test
  void cancelStopsBeforeTheNextModelCallAndRecordsTheCallInFlight() throws Exception {
    node.await(node.engine.submitJob(spec("cancel", Budget.unlimited(), "hold x", "sure y")));
    TestProbe<Object> probe = node.kit.createTestProbe();
    probe.awaitAssert(EngineHarness.WAIT, () -> {
      assertTrue(held.containsKey("cancel/step-0/1"));
      return null;
    });

    JobView cancelling = node.await(node.engine.cancelJob("cancel"));
    assertTrue(cancelling.cancelRequested());
    assertEquals(JobStatus.RUNNING, cancelling.status(), "waits for the call in flight");
    // The call in flight answers unsure: the cascade would escalate to "second", but the job was cancelled.
    held.get("cancel/step-0/1").complete(TestBackend.response("first", "maybe x", 0.3, 0.001, 0.0));

    JobView done = awaitEnd(node, "cancel");
    assertEquals(JobStatus.CANCELLED, done.status());
    assertEquals(1, done.steps().size(), "no later step started");
    assertEquals(1, done.rounds());
    assertEquals(0.001, done.costUsd(), 1e-12);
    assertEquals("maybe x", done.steps().get(0).result().answer(), "the in-flight call's result is recorded");
    assertEquals(0, second.called("cancel/step-0/2"));
    assertFalse(firstPrompts.contains("sure y"));

    JobView again = node.await(node.engine.cancelJob("cancel"));
    assertEquals(JobStatus.CANCELLED, again.status(), "cancelling an ended job is a no-op");
  }

  @Test
  void cancellingAFinishedJobKeepsItsStatus() throws Exception {
    node.await(node.engine.submitJob(spec("finished", Budget.unlimited(), "sure f")));
    awaitEnd(node, "finished");
    assertEquals(JobStatus.SUCCEEDED, node.await(node.engine.cancelJob("finished")).status());
    assertEquals(JobStatus.SUCCEEDED, node.await(node.engine.job("finished")).status());
  }

  @Test
  void theRoundBudgetSpansStepsAndTheJobFailsWithTheBestAnswerSoFar() throws Exception {
    // Each unsure step takes two calls (first, then second); 3 calls in all leave one for step 1.
    node.await(node.engine.submitJob(spec("rounds", Budget.rounds(3), "r0", "r1", "r2")));
    JobView done = awaitEnd(node, "rounds");
    assertEquals(JobStatus.FAILED, done.status());
    assertEquals("budget_exhausted", done.code());
    assertEquals(3, done.rounds());
    assertEquals(2, done.steps().size(), "step 2 never started");
    assertEquals(1, done.steps().get(1).budget().maxRounds(), "step 1 got what was left");
    assertEquals(List.of("first"), done.steps().get(1).result().modelsCalled());
    assertEquals("first:r1", done.answer(), "the best answer so far is step 1's forced answer");
    assertFalse(firstPrompts.contains("r2"));
  }

  @Test
  void theCostBudgetSpansSteps() throws Exception {
    Budget budget = new Budget(0.0025, 0, 0);
    node.await(node.engine.submitJob(spec("cost", budget, "sure c0", "sure c1", "sure c2", "sure c3")));
    JobView done = awaitEnd(node, "cost");
    // 0.001 per step: before step 2 0.002 < 0.0025 is spent, so it runs; before step 3 0.003 is spent.
    assertEquals(JobStatus.FAILED, done.status());
    assertEquals("budget_exhausted", done.code());
    assertEquals(3, done.steps().size());
    assertEquals(0.003, done.costUsd(), 1e-12);
    assertEquals(0.0005, done.steps().get(2).budget().maxCostUsd(), 1e-12);
    assertFalse(firstPrompts.contains("sure c3"));
  }

  @Test
  void theDeadlineSpansStepsAndEndsAStepStuckInACall() throws Exception {
    node.await(node.engine.submitJob(spec("deadline", new Budget(0, 0, 500), "sure d0", "hold d1", "sure d2")));
    JobView done = awaitEnd(node, "deadline");
    assertEquals(JobStatus.FAILED, done.status());
    assertEquals("budget_exhausted", done.code());
    assertEquals(2, done.steps().size(), "step 2 never started");
    assertTrue(done.steps().get(1).budget().deadlineMillis() <= 500);
    assertTrue(done.steps().get(1).result().abstained(), "the stuck step was ended by its deadline");
    assertEquals("first:sure d0", done.answer(), "the best answer so far");
    assertFalse(firstPrompts.contains("sure d2"));
  }

  @Test
  void aRepeatedSubmitReturnsTheSameJobAndADifferentRequestConflicts() throws Exception {
    JobSpec spec = spec("idem", Budget.unlimited(), "sure i");
    JobActor.Accepted one = node.await(node.engine.submitJob(spec));
    awaitEnd(node, "idem");
    int calls = first.totalCalls.get() + second.totalCalls.get();
    JobActor.Accepted two = node.await(node.engine.submitJob(spec));
    assertTrue(one.created());
    assertFalse(two.created());
    assertEquals("idem", two.job().id());
    assertEquals(JobStatus.SUCCEEDED, two.job().status());
    assertEquals(calls, first.totalCalls.get() + second.totalCalls.get(), "the repeat ran nothing");

    ExecutionException conflict = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> node.await(node.engine.submitJob(spec("idem", Budget.unlimited(), "sure other"))));
    EngineRejection rejection = assertInstanceOf(EngineRejection.class, conflict.getCause());
    assertEquals(EngineRejection.Reason.CONFLICT, rejection.reason());
  }

  @Test
  void anUnknownJobIsNotFound() {
    for (var call : List.<java.util.concurrent.Callable<?>>of(
        () -> node.await(node.engine.job("nope")),
        () -> node.await(node.engine.cancelJob("nope")),
        () -> events(node, "nope", 0))) {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, call::call);
      assertEquals(EngineRejection.Reason.NOT_FOUND, ((EngineRejection) e.getCause()).reason());
    }
  }

  @Test
  void eventsAreNumberedFromOneAndResumeAfterAGivenId() throws Exception {
    node.await(node.engine.submitJob(spec("events", Budget.unlimited(), "sure e0", "e1")));
    awaitEnd(node, "events");
    List<JobUpdate> all = events(node, "events", 0);
    List<String> types = all.stream().map(JobUpdate::type).toList();
    assertEquals("accepted", types.get(0));
    assertEquals("succeeded", types.get(types.size() - 1));
    for (int i = 0; i < all.size(); i++) {
      assertEquals(i + 1, all.get(i).seq());
    }
    // step 0: started, 4 episode steps, finished; step 1 (unsure, escalates): started, 7 steps, finished.
    assertEquals(1 + (1 + 4 + 1) + (1 + 7 + 1) + 1, all.size(), types.toString());
    assertEquals(2, types.stream().filter("step_finished"::equals).count());
    assertEquals(all.subList(5, all.size()), events(node, "events", 5));
  }

  @Test
  void aLiveWatcherSeesEveryEventOnceInOrder() throws Exception {
    node.await(node.engine.submitJob(spec("live", Budget.unlimited(), "hold l0", "sure l1")));
    var stream = node.engine.jobEvents("live", 0).runWith(Sink.seq(), node.kit.system());
    TestProbe<Object> probe = node.kit.createTestProbe();
    probe.awaitAssert(EngineHarness.WAIT, () -> {
      assertTrue(held.containsKey("live/step-0/1"));
      return null;
    });
    held.get("live/step-0/1").complete(TestBackend.response("first", "sure-ish", 0.95, 0.001, 1.0));
    List<JobUpdate> seen = node.await(stream);
    for (int i = 0; i < seen.size(); i++) {
      assertEquals(i + 1, seen.get(i).seq(), seen.toString());
    }
    assertEquals("succeeded", seen.get(seen.size() - 1).type());
    assertEquals(events(node, "live", 0), seen, "live events equal the replay");
  }

  @Test
  void anInterruptedJobResumesAfterRestartWithoutRepeatingAFinishedCall() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "job-resume-" + UUID.randomUUID()));
    Config config = EngineHarness.fileConfig(dir);
    TestBackend a1 = TestBackend.answering("first", "a", 0.95, 0.001, 1.0);
    TestBackend b1 = new TestBackend("second", r -> new CompletableFuture<>()); // never answers
    // Step 0 answers on "first"; step 1 goes to "second" through a planner that only routes there when asked.
    EngineSetup setup1 = restartSetup(a1, b1);
    EngineHarness one = EngineHarness.start("job-one", config, setup1);
    JobSpec spec = new JobSpec("resume", "split", List.of(List.of(ChatMessage.user("to first")),
        List.of(ChatMessage.user("to second"))), null, Budget.unlimited());
    one.await(one.engine.submitJob(spec));
    TestProbe<Object> probe = one.kit.createTestProbe();
    probe.awaitAssert(EngineHarness.WAIT, () -> {
      assertEquals(1, b1.called("resume/step-1/1"));
      return null;
    });
    one.close(); // mid-job: step 0 done, step 1's call in flight

    TestBackend a2 = TestBackend.answering("first", "a", 0.95, 0.001, 1.0);
    TestBackend b2 = TestBackend.answering("second", "b", 0.95, 0.01, 1.0);
    EngineHarness two = EngineHarness.start("job-two", config, restartSetup(a2, b2));
    try {
      // Nobody asks: the registry resumes the job, which re-joins its running step.
      JobView done = awaitEnd(two, "resume");
      assertEquals(JobStatus.SUCCEEDED, done.status());
      assertEquals("b", done.answer());
      assertEquals(2, done.rounds());
      assertEquals(0.011, done.costUsd(), 1e-12);
      assertEquals(1, a1.completed("resume/step-0/1") + a2.called("resume/step-0/1"));
      assertEquals(0, a2.called("resume/step-0/1"), "the finished call of step 0 was not repeated");
      assertEquals(1, b2.called("resume/step-1/1"), "the interrupted call was re-issued with its attempt id");
      assertEquals(0, b1.completed("resume/step-1/1"));
      List<JobUpdate> all = events(two, "resume", 0);
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i + 1, all.get(i).seq());
      }
      assertEquals(new ArrayList<>(List.of("accepted", "step_started")), all.stream().limit(2).map(JobUpdate::type)
          .toList());
    } finally {
      two.close();
    }
  }

  /** A pipeline "split" that sends prompts mentioning "second" to model second, the rest to first. */
  static EngineSetup restartSetup(TestBackend a, TestBackend b) {
    Map<String, List<InferenceBackend>> backends = Map.of("first", List.of(a), "second", List.of(b));
    return new EngineSetup(List.of(card("first", 1), card("second", 10)), backends,
        List.of(PipelineDefinition.fixed("split", "", EngineHarness.TEST_INFO, state -> {
          if (state.lastResponse().isPresent()) {
            var r = state.lastResponse().get();
            return new dev.switchyard.strategies.plan.PlanAction.Answer(r.text(), r.modelId(), List.of());
          }
          String model = state.query().text().contains("second") ? "second" : "first";
          return dev.switchyard.strategies.plan.PlanAction.Route.to(model, List.of());
        })));
  }
}
