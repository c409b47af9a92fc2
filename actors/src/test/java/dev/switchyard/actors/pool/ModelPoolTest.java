package dev.switchyard.actors.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.metrics.MetricsSettings;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.GenerationParams;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A model pool spawned directly (no sharding), every message through Kryo. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class ModelPoolTest {
  /** Every message through its serializer, as between nodes. */
  static final Config CONFIG = ConfigFactory.parseString("pekko.actor.serialize-messages = on\n"
      + "pekko.remote.artery.canonical.port = 0\npekko.loglevel = WARNING\n"
      + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n").withFallback(NodeConfig.load());
  /** Records nothing: the tests that read gauges make their own. */
  static final EngineMetrics metrics = new EngineMetrics(EngineMetrics.noRegistry(),
      MetricsSettings.from(NodeConfig.load()), List.of("m"));

  @JUnit5TestKit
  final ActorTestKit kit = new JUnit5TestKitBuilder().withName("pool-test").withCustomConfig(CONFIG).build();
  final ActorRef<Topic.Command<PoolLoad>> topic = kit.spawn(Topic.create(PoolLoad.class, "pool-test-load"));

  /** Counts concurrent calls; the answer comes from {@code answer}. */
  static class CountingBackend implements InferenceBackend {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final Function<BackendRequest, CompletionStage<Response>> answer;

    CountingBackend(Function<BackendRequest, CompletionStage<Response>> answer) {
      this.answer = answer;
    }

    @Override
    public String modelId() {
      return "m";
    }

    @Override
    public CompletionStage<Response> complete(BackendRequest request) {
      calls.computeIfAbsent(request.attemptId(), k -> new AtomicInteger()).incrementAndGet();
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      return answer.apply(request).whenComplete((r, e) -> inFlight.decrementAndGet());
    }
  }

  static Response ok() {
    return new Response("m", "ok", 1, 1, 1, 0.0, 0, 0.9, null, null);
  }

  static CompletionStage<Response> later(long millis) {
    return CompletableFuture.supplyAsync(ModelPoolTest::ok,
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
  }

  static EngineSettings.PoolSettings settings(int perWorker, int queue, int threshold, Duration cooldown) {
    return settings(perWorker, queue, Duration.ofSeconds(30), threshold, cooldown);
  }

  static EngineSettings.PoolSettings settings(int perWorker, int queue, Duration maxQueueWait, int threshold,
      Duration cooldown) {
    return new EngineSettings.PoolSettings(perWorker, queue, maxQueueWait, Duration.ofMillis(200),
        Duration.ofSeconds(20),
        Duration.ofMillis(100), 0.2, threshold, Duration.ofSeconds(10), cooldown,
        new EngineSettings.RetryPolicy(Map.of("RATE_LIMITED", 2, "SERVER_ERROR", 1), Duration.ofMillis(50),
            Duration.ofSeconds(1), 0.2, 7), Duration.ofSeconds(2), Duration.ofSeconds(20));
  }

  /** {@code settings} with no retries, for tests that count each call's failure. */
  static EngineSettings.PoolSettings withoutRetries(EngineSettings.PoolSettings settings) {
    return settings.withRetry(new EngineSettings.RetryPolicy(Map.of(), Duration.ofMillis(50), Duration.ofSeconds(1),
        0.2, 7));
  }

  /** The next outcome of a call, skipping the pool's admission acknowledgements. */
  static ModelPool.CallResult outcome(TestProbe<ModelPool.CallResult> probe, Duration max) {
    while (true) {
      ModelPool.CallResult r = probe.receiveMessage(max);
      if (!(r instanceof ModelPool.CallAdmitted)) {
        return r;
      }
    }
  }

  @Test
  void aCallGivingAFieldTheBackendCannotHonourFailsAsAClientErrorWithoutReachingIt() {
    CountingBackend replayLike = new CountingBackend(r -> CompletableFuture.completedFuture(ok())) {
      @Override
      public java.util.Set<String> unhonouredFields() {
        return java.util.Set.of("tools", "response_format");
      }
    };
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(replayLike), settings(1, 10, 5,
        Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    GenerationParams withTools = new GenerationParams("[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]",
        null, null, null, 0.5, null, null, null, null, null, null, null);
    pool.tell(new ModelPool.Call(new BackendRequest("tools/1", "m", List.of(ChatMessage.user("q")), "q", 0,
        withTools), probe.getRef()));

    ModelPool.CallFailed failed = assertInstanceOf(ModelPool.CallFailed.class,
        outcome(probe, Duration.ofSeconds(10)));
    assertEquals(FailureKind.CLIENT_ERROR, failed.kind());
    assertTrue(failed.message().contains("cannot honour tools"), failed.message());
    assertEquals(null, replayLike.calls.get("tools/1"), "the backend was never called");

    GenerationParams samplingOnly = new GenerationParams(null, null, null, null, 0.5, null, null, null, null, null,
        null, null);
    pool.tell(new ModelPool.Call(new BackendRequest("plain/1", "m", List.of(ChatMessage.user("q")), "q", 0,
        samplingOnly), probe.getRef()));
    assertInstanceOf(ModelPool.CallAnswered.class, outcome(probe, Duration.ofSeconds(10)));
  }

  @Test
  void aResentAttemptRunsOnceAndItsAnswerGoesToTheLatestAsker() {
    CompletableFuture<Response> release = new CompletableFuture<>();
    CountingBackend held = new CountingBackend(r -> release);
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(held), settings(1, 10, 5,
        Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    TestProbe<ModelPool.CallResult> first = kit.createTestProbe();
    TestProbe<ModelPool.CallResult> again = kit.createTestProbe();
    TestProbe<ModelPool.CallResult> queuedAsker = kit.createTestProbe();
    pool.tell(new ModelPool.Call(request("dup/1"), first.getRef()));
    assertEquals(new ModelPool.CallAdmitted("dup/1", pool), first.receiveMessage());
    pool.tell(new ModelPool.Call(request("dup/2"), queuedAsker.getRef()));
    assertEquals(new ModelPool.CallAdmitted("dup/2", pool), queuedAsker.receiveMessage());
    pool.tell(new ModelPool.Call(request("dup/1"), again.getRef()));
    pool.tell(new ModelPool.Call(request("dup/2"), again.getRef()));
    assertEquals(new ModelPool.CallAdmitted("dup/1", pool), again.receiveMessage());
    assertEquals(new ModelPool.CallAdmitted("dup/2", pool), again.receiveMessage());

    release.complete(ok());
    List<String> answered = List.of(
        assertInstanceOf(ModelPool.CallAnswered.class, outcome(again, Duration.ofSeconds(10))).attemptId(),
        assertInstanceOf(ModelPool.CallAnswered.class, outcome(again, Duration.ofSeconds(10))).attemptId());
    assertEquals(List.of("dup/1", "dup/2"), answered);
    first.expectNoMessage(Duration.ofMillis(200));
    queuedAsker.expectNoMessage(Duration.ofMillis(200));
    assertEquals(1, held.calls.get("dup/1").get(), "the running attempt was not started again");
    assertEquals(1, held.calls.get("dup/2").get(), "the queued attempt was queued once");
  }

  static BackendRequest request(String id) {
    return new BackendRequest(id, "m", List.of(ChatMessage.user("q")), "q", 0);
  }

  @Test
  void neverRunsMoreCallsPerWorkerThanItsLimit() {
    CountingBackend a = new CountingBackend(r -> later(30));
    CountingBackend b = new CountingBackend(r -> later(30));
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(a, b), settings(3, 100, 5,
        Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    for (int i = 0; i < 60; i++) {
      pool.tell(new ModelPool.Call(request("limit/" + i), probe.getRef()));
    }
    List<ModelPool.CallResult> results = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      results.add(outcome(probe, Duration.ofSeconds(30)));
    }
    assertTrue(results.stream().allMatch(r -> r instanceof ModelPool.CallAnswered), results.toString());
    assertEquals(3, a.maxInFlight.get(), "worker a ran at its limit, never above");
    assertEquals(3, b.maxInFlight.get(), "worker b ran at its limit, never above");
    assertEquals(60, a.calls.size() + b.calls.size());
  }

  @Test
  void aFullPoolRefusesWithARetryAfterInsteadOfQueueingWithoutBound() {
    CountingBackend stuck = new CountingBackend(r -> new CompletableFuture<>());
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(stuck), settings(1, 2, 5,
        Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    for (int i = 0; i < 10; i++) {
      pool.tell(new ModelPool.Call(request("full/" + i), probe.getRef()));
    }
    List<ModelPool.CallResult> replies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      replies.add(probe.receiveMessage(Duration.ofSeconds(10)));
    }
    probe.expectNoMessage(Duration.ofMillis(200));
    assertEquals(3, replies.stream().filter(r -> r instanceof ModelPool.CallAdmitted).count(),
        "one running and two queued calls are acknowledged");
    List<ModelPool.CallResult> refused = replies.stream().filter(r -> !(r instanceof ModelPool.CallAdmitted))
        .toList();
    assertEquals(7, refused.size());
    for (ModelPool.CallResult r : refused) {
      ModelPool.CallFailed failed = assertInstanceOf(ModelPool.CallFailed.class, r);
      assertTrue(failed.rejected());
      assertEquals(FailureKind.POOL_FULL, failed.kind());
      assertTrue(failed.retryAfterMillis() >= 200, "retry-after " + failed.retryAfterMillis());
    }
    assertEquals(1, stuck.calls.size(), "one in flight, two queued, seven refused");
    TestProbe<PoolLoad> load = kit.createTestProbe();
    pool.tell(new ModelPool.GetLoad(load.getRef()));
    PoolLoad l = load.receiveMessage();
    assertEquals(1, l.inFlight());
    assertEquals(2, l.queued());
    assertEquals(3, l.capacity());
  }

  @Test
  void circuitOpensAfterFailuresAndHalfOpensForOneProbe() {
    AtomicBoolean healthy = new AtomicBoolean(false);
    CountingBackend flaky = new CountingBackend(r -> healthy.get() ? CompletableFuture.completedFuture(ok())
        : CompletableFuture.failedFuture(new BackendException(BackendException.Kind.SERVER_ERROR, "boom")));
    // without retries of server errors, so that each call is one failure the breaker counts
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(flaky),
        withoutRetries(settings(4, 10, 3, Duration.ofMillis(800))), Clock.systemUTC(), topic, metrics));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    for (int i = 0; i < 3; i++) {
      pool.tell(new ModelPool.Call(request("cb/" + i), probe.getRef()));
      ModelPool.CallFailed failed = assertInstanceOf(ModelPool.CallFailed.class, outcome(probe, Duration.ofSeconds(3)));
      assertFalse(failed.rejected());
      assertEquals(FailureKind.SERVER_ERROR, failed.kind());
    }
    pool.tell(new ModelPool.Call(request("cb/open"), probe.getRef()));
    ModelPool.CallFailed open = assertInstanceOf(ModelPool.CallFailed.class, outcome(probe, Duration.ofSeconds(3)));
    assertTrue(open.rejected());
    assertEquals(FailureKind.CIRCUIT_OPEN, open.kind());
    assertTrue(open.retryAfterMillis() > 0 && open.retryAfterMillis() <= 800, "" + open.retryAfterMillis());
    assertEquals(0, flaky.calls.getOrDefault("cb/open", new AtomicInteger()).get());
    TestProbe<PoolLoad> load = kit.createTestProbe();
    pool.tell(new ModelPool.GetLoad(load.getRef()));
    assertTrue(load.receiveMessage().circuitOpen());

    healthy.set(true);
    probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
      pool.tell(new ModelPool.Call(request("cb/probe-" + System.nanoTime()), probe.getRef()));
      assertInstanceOf(ModelPool.CallAnswered.class, outcome(probe, Duration.ofSeconds(3)));
      return null;
    });
    pool.tell(new ModelPool.GetLoad(load.getRef()));
    assertFalse(load.receiveMessage().circuitOpen());
  }

  @Test
  void theNodeHostingAPoolHasItsQueueAndCircuitsAsGaugesUntilItStops() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EngineMetrics hosting = new EngineMetrics(registry, MetricsSettings.from(NodeConfig.load()), List.of("m"));
    CountingBackend failing = new CountingBackend(r -> CompletableFuture.failedFuture(
        new BackendException(BackendException.Kind.SERVER_ERROR, "boom")));
    CompletableFuture<Response> release = new CompletableFuture<>();
    CountingBackend held = new CountingBackend(r -> release);
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(failing, held),
        withoutRetries(settings(1, 10, 2, Duration.ofSeconds(30))), Clock.systemUTC(), topic, hosting));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    // the least busy worker takes each call: worker 0 fails twice (its circuit opens; failures are not retried
    // here), worker 1 holds the third
    for (int i = 0; i < 2; i++) {
      pool.tell(new ModelPool.Call(request("g/" + i), probe.getRef()));
      assertInstanceOf(ModelPool.CallFailed.class, outcome(probe, Duration.ofSeconds(3)));
    }
    pool.tell(new ModelPool.Call(request("g/held"), probe.getRef()));
    pool.tell(new ModelPool.Call(request("g/queued"), probe.getRef()));
    probe.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(50), () -> {
      assertEquals(1, registry.get("switchyard.pool.in.flight").tags("model", "m").gauge().value());
      assertEquals(1, registry.get("switchyard.pool.queue.depth").tags("model", "m").gauge().value());
      assertEquals(EngineMetrics.CIRCUIT_OPEN, registry.get("switchyard.pool.circuit.state")
          .tags("model", "m", "worker", "0").gauge().value());
      assertEquals(EngineMetrics.CIRCUIT_CLOSED, registry.get("switchyard.pool.circuit.state")
          .tags("model", "m", "worker", "1").gauge().value());
      return null;
    });

    kit.stop(pool);
    release.complete(ok());
    probe.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(50), () -> {
      assertTrue(registry.find("switchyard.pool.queue.depth").gauges().isEmpty(), "gone with the pool");
      assertTrue(registry.find("switchyard.pool.circuit.state").gauges().isEmpty());
      return null;
    });
  }

  @Test
  void aRateLimitedCallIsRetriedOnTheSameWorkerAfterItsRetryAfter() {
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    CountingBackend limited = new CountingBackend(r -> seen.computeIfAbsent(r.attemptId(),
        k -> new AtomicInteger()).incrementAndGet() <= 2
        ? CompletableFuture.failedFuture(new BackendException(BackendException.Kind.RATE_LIMITED, "429",
            Duration.ofMillis(40)))
        : CompletableFuture.completedFuture(ok()));
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(limited), settings(2, 10, 3,
        Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool.tell(new ModelPool.Call(request("rl/1"), probe.getRef()));
    assertInstanceOf(ModelPool.CallAnswered.class, outcome(probe, Duration.ofSeconds(10)));
    assertEquals(3, limited.calls.get("rl/1").get(), "two 429s, then the answer");

    CountingBackend always = new CountingBackend(r -> CompletableFuture.failedFuture(
        new BackendException(BackendException.Kind.RATE_LIMITED, "429", Duration.ofSeconds(30))));
    ActorRef<ModelPool.Command> pool2 = kit.spawn(ModelPool.create("m", List.of(always), settings(2, 10, 3,
        Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    pool2.tell(new ModelPool.Call(request("rl/2"), probe.getRef()));
    ModelPool.CallFailed failed = assertInstanceOf(ModelPool.CallFailed.class, outcome(probe, Duration.ofSeconds(3)));
    assertEquals(FailureKind.RATE_LIMITED, failed.kind());
    assertEquals(30_000, failed.retryAfterMillis(), "a retry-after beyond max-wait is passed back, not waited");
    assertEquals(1, always.calls.get("rl/2").get());
  }

  @Test
  void aCallThatFailedOnOneWorkerIsRetriedOnAnotherOneFirst() {
    CountingBackend broken = new CountingBackend(r -> CompletableFuture.failedFuture(
        new BackendException(BackendException.Kind.SERVER_ERROR, "500 CUDA out of memory")));
    CountingBackend healthy = new CountingBackend(r -> CompletableFuture.completedFuture(ok()));
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(broken, healthy), settings(2, 10, 5,
        Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool.tell(new ModelPool.Call(request("replica/1"), probe.getRef()));
    assertInstanceOf(ModelPool.CallAnswered.class, outcome(probe, Duration.ofSeconds(10)));
    assertEquals(1, broken.calls.get("replica/1").get(), "the first try went to the first worker and failed");
    assertEquals(1, healthy.calls.get("replica/1").get(), "the retry went to the other worker");

    // one worker only, failing twice: one retry (SERVER_ERROR = 1) on the same worker, then the failure
    CountingBackend alone = new CountingBackend(r -> CompletableFuture.failedFuture(
        new BackendException(BackendException.Kind.SERVER_ERROR, "502 bad gateway")));
    ActorRef<ModelPool.Command> single = kit.spawn(ModelPool.create("m", List.of(alone), settings(2, 10, 5,
        Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    single.tell(new ModelPool.Call(request("replica/2"), probe.getRef()));
    ModelPool.CallFailed failed = assertInstanceOf(ModelPool.CallFailed.class, outcome(probe, Duration.ofSeconds(5)));
    assertEquals(FailureKind.SERVER_ERROR, failed.kind());
    assertEquals(2, alone.calls.get("replica/2").get(), "tried, then retried once");

    // a client error is not worth another try
    CountingBackend refusing = new CountingBackend(r -> CompletableFuture.failedFuture(
        new BackendException(BackendException.Kind.CLIENT_ERROR, "400 context too long")));
    ActorRef<ModelPool.Command> third = kit.spawn(ModelPool.create("m", List.of(refusing, healthy), settings(2, 10,
        5, Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics));
    third.tell(new ModelPool.Call(request("replica/3"), probe.getRef()));
    assertEquals(FailureKind.CLIENT_ERROR, assertInstanceOf(ModelPool.CallFailed.class,
        outcome(probe, Duration.ofSeconds(5))).kind());
    assertEquals(null, healthy.calls.get("replica/3"), "not retried anywhere");
  }

  @Test
  void aRetryWaitsLongerEachTimeHonoursRetryAfterAndNeverPastMaxWait() {
    var policy = new EngineSettings.RetryPolicy(Map.of("RATE_LIMITED", 3, "SERVER_ERROR", 2), Duration.ofMillis(200),
        Duration.ofSeconds(5), 0.2, 1);
    assertEquals(200, policy.waitMillis(FailureKind.SERVER_ERROR, 1, -1, 0));
    assertEquals(400, policy.waitMillis(FailureKind.SERVER_ERROR, 2, -1, 0), "doubles with each retry");
    assertEquals(-1, policy.waitMillis(FailureKind.SERVER_ERROR, 3, -1, 0), "two retries for server errors");
    assertEquals(1000, policy.waitMillis(FailureKind.RATE_LIMITED, 1, 1000, 0),
        "the backend's retry-after when longer");
    assertEquals(1100, policy.waitMillis(FailureKind.RATE_LIMITED, 1, 1000, 0.5), "stretched by up to 20%");
    assertEquals(5000, policy.waitMillis(FailureKind.RATE_LIMITED, 1, 4900, 0.99), "never past max-wait");
    assertEquals(-1, policy.waitMillis(FailureKind.RATE_LIMITED, 1, 6000, 0),
        "a retry-after beyond max-wait: not waited");
    assertEquals(-1, policy.waitMillis(FailureKind.TIMEOUT, 1, -1, 0), "a kind not listed is not retried");
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new EngineSettings.RetryPolicy(Map.of("SERVER_EROR", 1), Duration.ofMillis(1), Duration.ofSeconds(1), 0, 1));
    assertTrue(e.getMessage().contains("switchyard.pool.retry.max-retries.SERVER_EROR"), e.getMessage());
  }

  /** A clock the test moves: the pool measures service times and start-by times with it. */
  static final class ManualClock extends Clock {
    final java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong(1_000_000);

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochMilli(millis.get());
    }

    void advance(long ms) {
      millis.addAndGet(ms);
    }
  }

  /** Held backend calls, completed by the test in the order it chooses. */
  static final Map<String, CompletableFuture<Response>> HELD = new ConcurrentHashMap<>();

  static CompletableFuture<Response> held(BackendRequest r) {
    return HELD.computeIfAbsent(r.attemptId(), k -> new CompletableFuture<>());
  }

  /**
   * Deadline-aware admission: with one slot and a measured service time of 1000 ms, a call queued behind one
   * other would start after about 2000 ms. One whose query has 1500 ms left is refused at once, with the 500 ms
   * after which the queue will have drained enough; one with more time, or with none while the wait is within
   * max-queue-wait (2500 ms), is queued; the next, 3000 ms back, exceeds max-queue-wait and is refused. Refused
   * calls never reach the backend.
   */
  @Test
  void aCallThatCannotStartWithinItsDeadlineIsRefusedAtOnceWithTheTimeTheQueueNeedsToDrain() {
    ManualClock clock = new ManualClock();
    CountingBackend backend = new CountingBackend(ModelPoolTest::held);
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(backend),
        settings(1, 10, Duration.ofMillis(2500), 5, Duration.ofSeconds(1)), clock, topic, metrics));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool.tell(new ModelPool.Call(request("drain/warm"), probe.getRef()));
    assertEquals(new ModelPool.CallAdmitted("drain/warm", pool), probe.receiveMessage());
    // the worker reads its start time just before calling the backend: advance the clock only after that
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertTrue(backend.calls.containsKey("drain/warm"));
      return null;
    });
    clock.advance(1000);
    held(request("drain/warm")).complete(ok()); // the same future the backend returns, whoever asks first
    assertInstanceOf(ModelPool.CallAnswered.class, outcome(probe, Duration.ofSeconds(10)));

    pool.tell(new ModelPool.Call(request("drain/running"), probe.getRef(), 60_000));
    assertEquals(new ModelPool.CallAdmitted("drain/running", pool), probe.receiveMessage());
    pool.tell(new ModelPool.Call(request("drain/patient"), probe.getRef(), 5_000));
    assertEquals(new ModelPool.CallAdmitted("drain/patient", pool), probe.receiveMessage(), "waits about 1000 ms");
    pool.tell(new ModelPool.Call(request("drain/hurried"), probe.getRef(), 1_500));
    ModelPool.CallFailed refused = assertInstanceOf(ModelPool.CallFailed.class,
        probe.receiveMessage(Duration.ofSeconds(5)));
    assertEquals("drain/hurried", refused.attemptId());
    assertTrue(refused.rejected());
    assertEquals(FailureKind.QUEUE_WAIT, refused.kind());
    assertEquals(500, refused.retryAfterMillis(), "2000 ms of queue ahead, 1500 ms allowed: retry in 500 ms");
    pool.tell(new ModelPool.Call(request("drain/no-deadline"), probe.getRef()));
    assertEquals(new ModelPool.CallAdmitted("drain/no-deadline", pool), probe.receiveMessage(),
        "about 2000 ms is within max-queue-wait");
    pool.tell(new ModelPool.Call(request("drain/late"), probe.getRef()));
    ModelPool.CallFailed overMax = assertInstanceOf(ModelPool.CallFailed.class,
        probe.receiveMessage(Duration.ofSeconds(5)));
    assertEquals("drain/late", overMax.attemptId());
    assertEquals(FailureKind.QUEUE_WAIT, overMax.kind());
    assertEquals(500, overMax.retryAfterMillis(), "3000 ms of queue ahead, 2500 ms allowed");
    assertEquals(java.util.Set.of("drain/warm", "drain/running"), backend.calls.keySet(),
        "queued and refused calls have not reached the backend");
  }

  /** A call queued before the pool had measured anything is still refused once its start-by time has passed. */
  @Test
  void aQueuedCallStillWaitingWhenItsTimeIsUpIsRefusedAndNeverRun() {
    ManualClock clock = new ManualClock();
    CountingBackend backend = new CountingBackend(ModelPoolTest::held);
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(backend),
        settings(1, 10, Duration.ofSeconds(10), 5, Duration.ofSeconds(1)), clock, topic, metrics));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool.tell(new ModelPool.Call(request("expire/running"), probe.getRef()));
    assertEquals(new ModelPool.CallAdmitted("expire/running", pool), probe.receiveMessage());
    pool.tell(new ModelPool.Call(request("expire/queued"), probe.getRef(), 300));
    assertEquals(new ModelPool.CallAdmitted("expire/queued", pool), probe.receiveMessage(), "no estimate yet: queued");
    probe.expectNoMessage(Duration.ofMillis(300)); // its time (on the pool's clock) has not come
    clock.advance(301);
    ModelPool.CallFailed refused = assertInstanceOf(ModelPool.CallFailed.class,
        probe.receiveMessage(Duration.ofSeconds(5)));
    assertEquals("expire/queued", refused.attemptId());
    assertTrue(refused.rejected());
    assertEquals(FailureKind.QUEUE_WAIT, refused.kind());

    held(request("expire/running")).complete(ok());
    assertEquals("expire/running", assertInstanceOf(ModelPool.CallAnswered.class,
        outcome(probe, Duration.ofSeconds(10))).attemptId());
    probe.expectNoMessage(Duration.ofMillis(300));
    assertEquals(java.util.Set.of("expire/running"), backend.calls.keySet(), "the refused call never ran");
  }
}
