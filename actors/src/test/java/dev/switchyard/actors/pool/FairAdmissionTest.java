package dev.switchyard.actors.pool;

import static dev.switchyard.actors.pool.ModelPoolTest.CONFIG;
import static dev.switchyard.actors.pool.ModelPoolTest.metrics;
import static dev.switchyard.actors.pool.ModelPoolTest.ok;
import static dev.switchyard.actors.pool.ModelPoolTest.outcome;
import static dev.switchyard.actors.pool.ModelPoolTest.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * Fair admission in a model pool spawned directly, every message through Kryo: the calls of tenants queued
 * together start in proportion to the tenants' priorities, a tenant that floods the pool cannot keep the others
 * out of its queue, and the deadline-aware admission estimates a call's wait from the calls that will start before
 * it, not from the whole queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class FairAdmissionTest {
  @JUnit5TestKit
  final ActorTestKit kit = new JUnit5TestKitBuilder().withName("fair-admission-test").withCustomConfig(CONFIG)
      .build();
  final ActorRef<Topic.Command<PoolLoad>> topic = kit.spawn(Topic.create(PoolLoad.class, "fair-test-load"));

  static final Tenants TENANTS = new Tenants(Map.of(
      "gold", tenant("gold", 3), "bronze", tenant("bronze", 1),
      "noisy", tenant("noisy", 1), "quiet", tenant("quiet", 1)));

  static TenantSpec tenant(String name, int priority) {
    return new TenantSpec(name, 0, 0, 0, 0, List.of(), priority);
  }

  /** A backend whose calls wait until the test completes them; it records the order in which they started. */
  static final class HeldBackend extends ModelPoolTest.CountingBackend {
    final List<String> started = Collections.synchronizedList(new ArrayList<>());
    final Map<String, CompletableFuture<Response>> held;

    HeldBackend(Map<String, CompletableFuture<Response>> held) {
      super(r -> held.computeIfAbsent(r.attemptId(), k -> new CompletableFuture<>()));
      this.held = held;
    }

    @Override
    public java.util.concurrent.CompletionStage<Response> complete(BackendRequest request) {
      started.add(request.attemptId());
      return super.complete(request);
    }

    void finish(String attemptId) {
      held.computeIfAbsent(attemptId, k -> new CompletableFuture<>()).complete(ok());
    }
  }

  static BackendRequest request(String id) {
    return new BackendRequest(id, "m", List.of(ChatMessage.user("q")), "q", 0);
  }

  static ModelPool.Call call(String id, String tenant, ActorRef<ModelPool.CallResult> replyTo, long maxWait) {
    return new ModelPool.Call(request(id), replyTo, maxWait, tenant);
  }

  private void awaitStarted(TestProbe<?> probe, HeldBackend backend, int n) {
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(n, backend.started.size(), backend.started.toString());
      return null;
    });
  }

  @Test
  void withOneWorkerSlotTwoTenantsQueuedTogetherStartInTheirWeightsProportion() {
    HeldBackend backend = new HeldBackend(new ConcurrentHashMap<>());
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(backend),
        settings(1, 100, 5, Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics, TENANTS));
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool.tell(call("running", "bronze", probe.getRef(), 0));
    awaitStarted(probe, backend, 1);
    for (int i = 1; i <= 12; i++) {
      pool.tell(call("b" + i, "bronze", probe.getRef(), 0)); // bronze first in line: it goes first in the round
    }
    for (int i = 1; i <= 12; i++) {
      pool.tell(call("g" + i, "gold", probe.getRef(), 0));
    }
    for (int i = 0; i < 25; i++) {
      assertInstanceOf(ModelPool.CallAdmitted.class, probe.receiveMessage());
    }
    // free the one slot 16 times: each time the queue's next call starts
    String running = "running";
    for (int n = 2; n <= 17; n++) {
      backend.finish(running);
      awaitStarted(probe, backend, n);
      running = backend.started.get(n - 1);
    }
    List<String> order = backend.started.subList(1, 17);
    assertEquals(List.of("b1", "g1", "g2", "g3", "b2", "g4", "g5", "g6", "b3", "g7", "g8", "g9", "b4", "g10", "g11",
        "g12"), order, "3 of every 4 starts go to gold (priority 3), 1 to bronze (priority 1)");
    assertEquals(1, backend.maxInFlight.get(), "one call at a time");
  }

  /**
   * Four slots and two tenants of priority 1: a share of two slots each. Noisy runs all four and has three calls
   * queued when quiet's three arrive. The first slot noisy frees goes to quiet, running none of its two, though it is
   * noisy's turn (plain round robin would have started n5 and made quiet wait for a second slot), and so does the
   * second; the third goes back to noisy, quiet running its two; the slot quiet frees is quiet's again.
   */
  @Test
  void aTenantRunningLessThanItsShareOfTheSlotsTakesTheNextFreeOneEvenOnAnotherTenantsTurn() {
    HeldBackend backend = new HeldBackend(new ConcurrentHashMap<>());
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(backend),
        settings(4, 100, 5, Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics, TENANTS));
    TestProbe<ModelPool.CallResult> noisy = kit.createTestProbe();
    TestProbe<ModelPool.CallResult> quiet = kit.createTestProbe();
    for (int i = 1; i <= 7; i++) {
      pool.tell(call("n" + i, "noisy", noisy.getRef(), 0));
      assertInstanceOf(ModelPool.CallAdmitted.class, noisy.receiveMessage());
    }
    awaitStarted(noisy, backend, 4);
    for (int i = 1; i <= 3; i++) {
      pool.tell(call("q" + i, "quiet", quiet.getRef(), 0));
      assertInstanceOf(ModelPool.CallAdmitted.class, quiet.receiveMessage());
    }
    for (int n = 1; n <= 3; n++) {
      backend.finish("n" + n);
      awaitStarted(noisy, backend, 4 + n);
    }
    backend.finish("q1");
    awaitStarted(quiet, backend, 8);
    assertEquals(List.of("n1", "n2", "n3", "n4", "q1", "q2", "n5", "q3"), backend.started);
    assertEquals(4, backend.maxInFlight.get(), "never more than the four slots");
  }

  @Test
  void aTenantThatFloodsThePoolCannotTakeTheWholeQueue() {
    HeldBackend backend = new HeldBackend(new ConcurrentHashMap<>());
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(backend),
        settings(1, 4, 5, Duration.ofSeconds(1)), Clock.systemUTC(), topic, metrics, TENANTS));
    TestProbe<ModelPool.CallResult> noisy = kit.createTestProbe();
    TestProbe<ModelPool.CallResult> quiet = kit.createTestProbe();
    pool.tell(call("n0", "noisy", noisy.getRef(), 0));
    assertInstanceOf(ModelPool.CallAdmitted.class, noisy.receiveMessage());
    awaitStarted(noisy, backend, 1);
    for (int i = 1; i <= 4; i++) {
      pool.tell(call("n" + i, "noisy", noisy.getRef(), 0));
      assertInstanceOf(ModelPool.CallAdmitted.class, noisy.receiveMessage(), "alone, noisy may fill the queue");
    }
    pool.tell(call("n5", "noisy", noisy.getRef(), 0));
    ModelPool.CallFailed full = assertInstanceOf(ModelPool.CallFailed.class, noisy.receiveMessage());
    assertEquals("n5", full.attemptId());
    assertEquals(FailureKind.POOL_FULL, full.kind());

    // quiet arrives at the full queue: each of its calls takes the place of noisy's newest
    for (int i = 1; i <= 2; i++) {
      pool.tell(call("q" + i, "quiet", quiet.getRef(), 0));
      assertEquals(new ModelPool.CallAdmitted("q" + i, pool), quiet.receiveMessage());
      ModelPool.CallFailed pushedOut = assertInstanceOf(ModelPool.CallFailed.class, noisy.receiveMessage());
      assertEquals("n" + (5 - i), pushedOut.attemptId(), "noisy's newest queued call gives its place");
      assertEquals(FailureKind.POOL_FULL, pushedOut.kind());
      assertTrue(pushedOut.retryAfterMillis() >= 200, "with a retry-after: " + pushedOut.retryAfterMillis());
      assertTrue(pushedOut.message().contains("tenant noisy held more of its queue than its share"),
          pushedOut.message());
    }
    pool.tell(call("q3", "quiet", quiet.getRef(), 0));
    ModelPool.CallFailed quietFull = assertInstanceOf(ModelPool.CallFailed.class, quiet.receiveMessage());
    assertEquals(FailureKind.POOL_FULL, quietFull.kind(), "two of four places each: quiet has its share");
    assertTrue(quietFull.message().contains("2 of them tenant quiet's"), quietFull.message());
    pool.tell(call("n6", "noisy", noisy.getRef(), 0));
    assertEquals(FailureKind.POOL_FULL, assertInstanceOf(ModelPool.CallFailed.class, noisy.receiveMessage()).kind(),
        "and so has noisy");

    String running = "n0";
    for (int n = 2; n <= 5; n++) {
      backend.finish(running);
      awaitStarted(noisy, backend, n);
      running = backend.started.get(n - 1);
    }
    backend.finish(running);
    assertEquals(List.of("n0", "n1", "q1", "n2", "q2"), backend.started,
        "the queued calls of both run, taking turns; the pushed-out ones never");
    List<String> answered = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      answered.add(assertInstanceOf(ModelPool.CallAnswered.class, outcome(quiet, Duration.ofSeconds(10))).attemptId());
    }
    assertEquals(List.of("q1", "q2"), answered);
  }

  /**
   * With one slot measured at 1000 ms a call and three of noisy's calls queued, a quiet call would start after
   * one of them (about 2000 ms from now, counting its own): with 2500 ms left of its deadline it is queued, where
   * first come, first served would have had it wait 4000 ms. Noisy's next call would start after its own three
   * and quiet's one (5000 ms): with 4000 ms left it is refused at once, with the 1000 ms the queue needs to drain.
 * The queued calls still
   * waiting at their start-by time are refused then, whoever's they are.
   */
  @Test
  void theDrainRateEstimateCountsTheCallsFairAdmissionStartsFirstAndLateCallsAreStillRefusedOnTime() {
    ModelPoolTest.ManualClock clock = new ModelPoolTest.ManualClock();
    HeldBackend backend = new HeldBackend(new ConcurrentHashMap<>());
    ActorRef<ModelPool.Command> pool = kit.spawn(ModelPool.create("m", List.of(backend),
        settings(1, 10, Duration.ofMillis(5000), 5, Duration.ofSeconds(1)), clock, topic, metrics, TENANTS));
    TestProbe<ModelPool.CallResult> noisy = kit.createTestProbe();
    TestProbe<ModelPool.CallResult> quiet = kit.createTestProbe();
    pool.tell(call("warm", "noisy", noisy.getRef(), 0));
    assertInstanceOf(ModelPool.CallAdmitted.class, noisy.receiveMessage());
    awaitStarted(noisy, backend, 1);
    clock.advance(1000);
    backend.finish("warm");
    assertInstanceOf(ModelPool.CallAnswered.class, outcome(noisy, Duration.ofSeconds(10)));

    pool.tell(call("n-running", "noisy", noisy.getRef(), 0));
    assertInstanceOf(ModelPool.CallAdmitted.class, noisy.receiveMessage());
    for (int i = 1; i <= 2; i++) {
      pool.tell(call("n" + i, "noisy", noisy.getRef(), 60_000));
      assertInstanceOf(ModelPool.CallAdmitted.class, noisy.receiveMessage(), "about " + (i + 1) * 1000 + " ms");
    }
    pool.tell(call("n3-hurried", "noisy", noisy.getRef(), 2_000));
    assertEquals(FailureKind.QUEUE_WAIT, assertInstanceOf(ModelPool.CallFailed.class, noisy.receiveMessage())
        .kind(), "3000 ms behind its own two: refused");
    pool.tell(call("n3", "noisy", noisy.getRef(), 3_000));
    assertInstanceOf(ModelPool.CallAdmitted.class, noisy.receiveMessage(), "with 3000 ms it may wait");

    pool.tell(call("q1", "quiet", quiet.getRef(), 2_500));
    assertEquals(new ModelPool.CallAdmitted("q1", pool), quiet.receiveMessage(),
        "one of noisy's calls starts before it: about 2000 ms, not the 4000 ms of the whole queue");
    pool.tell(call("n4", "noisy", noisy.getRef(), 4_000));
    ModelPool.CallFailed refused = assertInstanceOf(ModelPool.CallFailed.class, noisy.receiveMessage());
    assertEquals(FailureKind.QUEUE_WAIT, refused.kind());
    assertEquals(1000, refused.retryAfterMillis(), "its own three and quiet's one ahead: 5000 ms, 4000 allowed");

    // nothing finishes: q1 (start by +2500) and n3 (cut at its 3000 ms deadline) are refused when their time comes
    quiet.expectNoMessage(Duration.ofMillis(300));
    clock.advance(2500);
    ModelPool.CallFailed late = assertInstanceOf(ModelPool.CallFailed.class, quiet.receiveMessage(Duration.ofSeconds(5)));
    assertEquals("q1", late.attemptId());
    assertEquals(FailureKind.QUEUE_WAIT, late.kind());
    noisy.expectNoMessage(Duration.ofMillis(300));
    clock.advance(500);
    ModelPool.CallFailed noisyLate = assertInstanceOf(ModelPool.CallFailed.class,
        noisy.receiveMessage(Duration.ofSeconds(5)));
    assertEquals("n3", noisyLate.attemptId());
    assertEquals(FailureKind.QUEUE_WAIT, noisyLate.kind());
    assertEquals(List.of("warm", "n-running"), backend.started, "the refused calls never ran");
  }
}
