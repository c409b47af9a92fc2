package dev.switchyard.simulator.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendException.Kind;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplayBackendTest {
  /** Noise-free, so simulated latencies are exact: prefill 4000 tok/s, decode 60 tok/s, batch 16. */
  private static final LatencyModel EXACT = new LatencyModel(4000, 60, 16, 0.04, 0.0, 500);
  private static final PromptIndex INDEX = TestData.index();
  private final List<ReplayBackend> opened = new java.util.ArrayList<>();

  @AfterEach
  void closeBackends() {
    opened.forEach(ReplayBackend::close);
  }

  private ReplayBackend backend(String model, String persona, double scale, long seed, LatencyModel latency) {
    ReplayBackend b = ReplayBackend.builder(model, INDEX).persona(persona).latencyScale(scale).seed(seed)
        .latencyModel(latency).build();
    opened.add(b);
    return b;
  }

  private static BackendRequest request(String attemptId, String model, String text) {
    return new BackendRequest(attemptId, model, List.of(ChatMessage.user(text)), text, 0);
  }

  private static Response answer(ReplayBackend b, BackendRequest r) throws Exception {
    return b.complete(r).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static BackendException failure(ReplayBackend b, BackendRequest r) throws Exception {
    try {
      b.complete(r).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(BackendException.class, e.getCause());
    }
    throw new AssertionError("expected a failure for " + r.attemptId());
  }

  @Test
  void replaysTheRecordedOutcomeOfAnExactPrompt() throws Exception {
    ReplayBackend big = backend("big", "healthy", 0, 1, EXACT);
    Response r = answer(big, request("a/0", "big", "  Solve for x: 2x + 3 = 11.\n Give only the number. "));
    assertEquals("big", r.modelId());
    assertEquals("4", r.text());
    assertEquals(0.0030, r.costUsd(), 1e-15);
    assertEquals(120, r.inputTokens());
    assertEquals(5, r.outputTokens());
    assertEquals(-0.05, r.confidence(), 1e-15);
    assertEquals(1.0, r.referenceScore(), 1e-15);
    assertNull(r.note());
    // noise 0, one call in flight: the recorded latency exactly
    assertEquals(800, r.latencyMs(), 1e-9);
  }

  @Test
  void answersAnUnrecordedPromptWithTheNearestRecordedQueryAndSaysSo() throws Exception {
    ReplayBackend small = backend("small", "healthy", 0, 1, EXACT);
    Response r = answer(small, request("b/0", "small", "which planet is called the red planet"));
    assertEquals("Mars", r.text());
    assertEquals(1.0, r.referenceScore(), 1e-15);
    assertTrue(r.note().startsWith("nearest recorded prompt: q3 (similarity 0."), r.note());
  }

  @Test
  void latencyScaleChangesWallDelayButNotSimulatedLatency() throws Exception {
    LatencyModel noisy = new LatencyModel(4000, 60, 16, 0.04, 0.25, 500);
    ReplayBackend fast = backend("small", "healthy", 0, 7, noisy);
    ReplayBackend slowMotion = backend("small", "healthy", 0.5, 7, noisy);
    String text = "Which planet is known as the red planet?";
    Response a = answer(fast, request("c/0", "small", text));
    Response b = answer(slowMotion, request("c/0", "small", text));
    assertEquals(a.latencyMs(), b.latencyMs(), 1e-9, "same seed and attempt: same simulated latency");
    assertNotEquals(200.0, a.latencyMs(), "noise moved it off the recorded 200 ms");
    CallLog.CallRecord ra = fast.callLog().recent().get(0);
    CallLog.CallRecord rb = slowMotion.callLog().recent().get(0);
    assertEquals(0.0, ra.wallDelayMs());
    assertEquals(0.5 * rb.simulatedMs(), rb.wallDelayMs(), 1e-9);
    assertEquals(a.latencyMs(), rb.simulatedMs(), 1e-9);
  }

  @Test
  void aRepeatedAttemptIdGetsTheSameResponseAndIsExecutedOnce() throws Exception {
    ReplayBackend big = backend("big", "healthy", 0, 3, new LatencyModel(4000, 60, 16, 0.04, 0.25, 500));
    BackendRequest r = request("job-1/1", "big", "Name the largest ocean on Earth.");
    Response first = answer(big, r);
    Response second = answer(big, r);
    assertEquals(first, second);
    assertEquals(2, big.callLog().calls("job-1/1"));
    assertEquals(1, big.callLog().billableSuccesses("job-1/1"));
    assertEquals(1, big.callLog().count("ok"));
    assertEquals(1, big.callLog().count("replayed"));
  }

  @Test
  void aFailedAttemptMayBeRetriedAndSucceedsAtMostOnce() throws Exception {
    ReplayBackend flaky = backend("small", "flaky-50", 0, 11, EXACT);
    BackendRequest r = request("job-2/1", "small", "Name the largest ocean on Earth.");
    int failures = 0;
    Response ok = null;
    for (int i = 0; i < 50 && ok == null; i++) {
      try {
        ok = answer(flaky, r);
      } catch (ExecutionException e) {
        failures++;
      }
    }
    assertEquals("Atlantic", ok.text());
    assertEquals(ok, answer(flaky, r), "after the success the answer is replayed");
    assertEquals(1, flaky.callLog().billableSuccesses("job-2/1"));
    assertEquals(failures + 2, flaky.callLog().calls("job-2/1"));
  }

  @Test
  void refusesARequestForAnotherModel() throws Exception {
    ReplayBackend small = backend("small", "healthy", 0, 1, EXACT);
    assertEquals(Kind.CLIENT_ERROR, failure(small, request("d/0", "big", "anything")).kind());
  }

  @Test
  void refusesToBuildForAModelNotInTheRecording() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplayBackend.builder("gpt-9", INDEX).build());
    assertTrue(e.getMessage().contains("gpt-9"), e.getMessage());
  }

  private static int[] outcomes(ReplayBackend b, int calls) throws Exception {
    int[] counts = new int[Kind.values().length + 1];
    for (int i = 0; i < calls; i++) {
      try {
        answer(b, request("p/" + i, b.modelId(), "What is the capital of France? Answer in one word."));
        counts[Kind.values().length]++;
      } catch (ExecutionException e) {
        counts[((BackendException) e.getCause()).kind().ordinal()]++;
      }
    }
    return counts;
  }

  @Test
  void flakyFailsItsPercentageOfCallsReproduciblyBySeed() throws Exception {
    int[] a = outcomes(backend("small", "flaky-30", 0, 5, EXACT), 1000);
    int[] b = outcomes(backend("small", "flaky-30", 0, 5, EXACT), 1000);
    int[] c = outcomes(backend("small", "flaky-30", 0, 6, EXACT), 1000);
    int errors = a[Kind.SERVER_ERROR.ordinal()];
    // Binomial(1000, 0.3): sd 14.5; 4 sd either side.
    assertTrue(errors > 242 && errors < 358, "server errors " + errors);
    assertEquals(1000 - errors, a[Kind.values().length]);
    assertEquals(errors, b[Kind.SERVER_ERROR.ordinal()], "same seed, same failures");
    assertNotEquals(errors, c[Kind.SERVER_ERROR.ordinal()], "another seed, other failures");
  }

  @Test
  void errorFailsEveryCall() throws Exception {
    int[] counts = outcomes(backend("big", "error", 0, 5, EXACT), 200);
    assertEquals(200, counts[Kind.SERVER_ERROR.ordinal()]);
  }

  @Test
  void rateLimitedRefusesWithRetryAfter() throws Exception {
    ReplayBackend b = backend("big", "429-retry-after-2s", 0, 5, EXACT);
    BackendException e = failure(b, request("r/0", "big", "Name the largest ocean on Earth."));
    assertEquals(Kind.RATE_LIMITED, e.kind());
    assertEquals(Duration.ofSeconds(2), e.retryAfter());
    int[] storm = outcomes(backend("big", "429-80-retry-after-1s", 0, 5, EXACT), 1000);
    int limited = storm[Kind.RATE_LIMITED.ordinal()];
    assertTrue(limited > 749 && limited < 851, "rate limited " + limited); // Binomial(1000, .8): sd 12.6
  }

  @Test
  void truncateStreamCutsTheStream() throws Exception {
    ReplayBackend b = backend("big", "truncate-stream", 0, 5, EXACT);
    BackendException e = failure(b, request("t/0", "big", "Name the largest ocean on Earth."));
    assertEquals(Kind.TRUNCATED, e.kind());
    assertTrue(e.getMessage().matches(".*cut after \\d of 6 tokens"), e.getMessage());
    assertEquals(200, outcomes(backend("big", "gpu-truncate-stream", 0, 5, EXACT), 200)[Kind.TRUNCATED.ordinal()]);
  }

  @Test
  void oomAnswersThenFailsUntilHealed() throws Exception {
    ReplayBackend b = backend("small", "oom-5", 0, 5, EXACT);
    int[] counts = outcomes(b, 12);
    assertEquals(5, counts[Kind.values().length]);
    assertEquals(7, counts[Kind.SERVER_ERROR.ordinal()]);
    assertTrue(b.callLog().recent().get(11).outcome().equals("SERVER_ERROR"));
    b.setPersona(FaultPersona.healthy());
    assertEquals("Paris", answer(b, request("healed", "small", "What is the capital of France? Answer in one word."))
        .text());
  }

  @Test
  void slowMultipliesTimeToFirstTokenByTen() throws Exception {
    String text = "What is the capital of France? Answer in one word.";
    // recorded 300 ms, 100 in / 10 out: prefill 25 ms, decode 166.67 ms, overhead 108.33 ms, TTFT 133.33 ms
    double healthy = answer(backend("small", "healthy", 0, 1, EXACT), request("s/0", "small", text)).latencyMs();
    double slow = answer(backend("small", "slow", 0, 1, EXACT), request("s/0", "small", text)).latencyMs();
    double gpuSlow = answer(backend("small", "gpu-slow", 0, 1, EXACT), request("s/0", "small", text)).latencyMs();
    assertEquals(300, healthy, 1e-9);
    assertEquals(300 + 9 * (300 - 10 / 60.0 * 1000), slow, 1e-9);
    assertEquals(300 + 10_000, gpuSlow, 1e-9);
  }

  @Test
  void clientErrorPersonasAreNeverRetryable() throws Exception {
    assertEquals(Kind.CLIENT_ERROR, failure(backend("small", "bad-request", 0, 1, EXACT),
        request("x/0", "small", "hi")).kind());
    assertEquals(Kind.UNAUTHORIZED, failure(backend("small", "unauthorized", 0, 1, EXACT),
        request("x/0", "small", "hi")).kind());
  }

  @Test
  void returnsAtOnceAndClosingFailsCallsStillWaiting() throws Exception {
    ReplayBackend b = backend("big", "healthy", 10, 1, EXACT); // 10x slow motion: 8 s wall for an 800 ms call
    CompletableFuture<Response> pending = b.complete(request("w/0", "big",
        "Solve for x: 2x + 3 = 11. Give only the number.")).toCompletableFuture();
    assertTrue(!pending.isDone(), "complete() returned without waiting for the 8 s answer");
    b.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(30, TimeUnit.SECONDS));
    assertEquals(Kind.SERVER_ERROR, ((BackendException) e.getCause()).kind());
  }

  @Test
  void loadRaisesSimulatedLatency() throws Exception {
    // Real time (scale 1): 40 calls of 800 ms sent at once overlap; the batch holds 16, the rest queue.
    ReplayBackend big = backend("big", "healthy", 1.0, 1, EXACT);
    List<CompletableFuture<Response>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add(big.complete(request("load/" + i, "big", "Solve for x: 2x + 3 = 11. Give only the number."))
          .toCompletableFuture());
    }
    double first = calls.get(0).get(30, TimeUnit.SECONDS).latencyMs();
    double last = calls.get(39).get(30, TimeUnit.SECONDS).latencyMs();
    assertEquals(800, first, 1e-9, "the first call found the replica idle");
    assertTrue(last > 2 * first, "the 40th call waited behind a full batch: " + last);
  }

  @Test
  void aLostReplyIsBilledOnceAndTheRetryGetsTheAnswer() throws Exception {
    ReplayBackend big = backend("big", "lost-reply-100", 0, 1, EXACT);
    BackendRequest r = request("job-3/1", "big", "Name the largest ocean on Earth.");
    assertEquals(Kind.TIMEOUT, failure(big, r).kind());
    big.setPersona(FaultPersona.healthy());
    assertEquals("Pacific", answer(big, r).text());
    assertEquals(2, big.callLog().calls("job-3/1"));
    assertEquals(1, big.callLog().billableSuccesses("job-3/1"), "executed once, although the caller asked twice");
    assertEquals(1, big.callLog().count("ok-reply-lost"));
    assertEquals(1, big.callLog().count("replayed"));
  }
}
