package dev.switchyard.actors.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.backend.BackendRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdmissionQueueTest {
  static ActorTestKit kit;
  static TestProbe<ModelPool.CallResult> first;
  static TestProbe<ModelPool.CallResult> second;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("admission-queue-test");
    first = kit.createTestProbe();
    second = kit.createTestProbe();
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static ModelPool.Call call(String attemptId, long maxWaitMillis) {
    return new ModelPool.Call(new BackendRequest(attemptId, "m", List.of(), "q", 16), first.getRef(), maxWaitMillis);
  }

  private static ModelPool.Call call(String attemptId, String tenant) {
    return new ModelPool.Call(new BackendRequest(attemptId, "m", List.of(), "q", 16), first.getRef(), 0, tenant);
  }

  /** gold weighs 3, everyone else (bronze, the unmetered lane) 1. */
  private static AdmissionQueue weighted() {
    return new AdmissionQueue(Duration.ofMillis(1000), tenant -> "gold".equals(tenant) ? 3 : 1);
  }

  /**
   * Runs the queued calls one at a time on a pool of one slot, each finishing before the next starts; the order the
   * queue started them in.
   */
  private static List<String> startOneByOne(AdmissionQueue queue, int n) {
    List<String> started = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      List<ModelPool.Call> running = new ArrayList<>();
      queue.startWhile(1, c -> running.isEmpty() && running.add(c) && started(queue, c));
      running.forEach(c -> {
        started.add(c.request().attemptId());
        queue.finished(c.tenant());
      });
    }
    return started;
  }

  /** What the pool does when it starts a call: tells the queue. */
  private static boolean started(AdmissionQueue queue, ModelPool.Call call) {
    queue.started(call.tenant());
    return true;
  }

  private static List<String> ids(List<ModelPool.Call> calls) {
    return calls.stream().map(c -> c.request().attemptId()).toList();
  }

  @Test
  void aCallMayWaitMaxQueueWaitOrUntilItsDeadlineIfNearer() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    assertEquals(1000, queue.allowedWaitMillis(call("a", 0)), "no deadline: max-queue-wait");
    assertEquals(300, queue.allowedWaitMillis(call("a", 300)));
    assertEquals(1000, queue.allowedWaitMillis(call("a", 5000)));
  }

  @Test
  void aQueuedCallIsGivenTwiceItsEstimateButNeverPastItsDeadline() {
    assertEquals(1000, AdmissionQueue.startWithinMillis(call("a", 0), 400, 1000), "the allowed wait covers it");
    assertEquals(1800, AdmissionQueue.startWithinMillis(call("a", 0), 900, 1000), "stretched to twice 900");
    assertEquals(1500, AdmissionQueue.startWithinMillis(call("a", 1500), 900, 1000), "cut at the deadline");
  }

  @Test
  void callsStartInOrderUntilNoneCanStart() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    queue.add(call("a", 0), 100);
    queue.add(call("b", 0), 100);
    queue.add(call("c", 0), 100);
    List<String> started = new ArrayList<>();
    queue.startWhile(2, c -> started.size() < 2 && started.add(c.request().attemptId()));
    assertEquals(List.of("a", "b"), started);
    assertEquals(1, queue.size());
    queue.startWhile(3, c -> started.add(c.request().attemptId()));
    assertTrue(queue.isEmpty());
    assertEquals(List.of("a", "b", "c"), started);
  }

  @Test
  void aRetryGoesFirstInLine() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    queue.add(call("a", 0), 100);
    queue.addFirst(call("retried", 0), 100);
    List<String> started = new ArrayList<>();
    queue.startWhile(3, c -> started.add(c.request().attemptId()));
    assertEquals(List.of("retried", "a"), started);
  }

  @Test
  void lateCallsAreTakenOutInOrderAndTheEarliestStartByIsNext() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    assertTrue(queue.earliestStartBy().isEmpty());
    queue.add(call("a", 0), 300);
    queue.add(call("b", 0), 100);
    queue.add(call("c", 0), 200);
    assertEquals(100, queue.earliestStartBy().getAsLong());
    assertEquals(List.of(), queue.takeLate(99));
    assertEquals(List.of("b", "c"), ids(queue.takeLate(200)), "start-by at or before now");
    assertEquals(1, queue.size());
    assertEquals(300, queue.earliestStartBy().getAsLong());
  }

  @Test
  void aResentCallKeepsItsPlaceAndStartByWithItsNewReplyAddress() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    queue.add(call("a", 0), 100);
    queue.add(call("b", 0), 150);
    ModelPool.Call resent = new ModelPool.Call(call("a", 0).request(), second.getRef(), 0);
    assertTrue(queue.replace(resent));
    assertFalse(queue.replace(call("x", 0)), "not queued");
    assertEquals(2, queue.size());
    List<ModelPool.Call> late = queue.takeLate(100);
    assertEquals(List.of("a"), ids(late));
    assertSame(second.getRef(), late.get(0).replyTo());
  }

  @Test
  void tenantsQueuedTogetherStartInProportionToTheirWeights() {
    AdmissionQueue queue = weighted();
    for (int i = 1; i <= 6; i++) {
      queue.add(call("g" + i, "gold"), 100);
      queue.add(call("b" + i, "bronze"), 100);
    }
    assertEquals(List.of("g1", "g2", "g3", "b1", "g4", "g5", "g6", "b2", "b3", "b4", "b5", "b6"),
        startOneByOne(queue, 12), "3 of every 4 starts are gold's while both wait; bronze has the rest after");
    assertTrue(queue.isEmpty());
  }

  @Test
  void equalWeightsAlternateAndUnmeteredCallsAreALaneOfTheirOwn() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    for (int i = 1; i <= 3; i++) {
      queue.add(call("n" + i, "noisy"), 100);
    }
    queue.add(call("q1", "quiet"), 100);
    queue.add(call("u1", (String) null), 100);
    assertEquals(List.of("n1", "q1", "u1", "n2", "n3"), startOneByOne(queue, 5));
  }

  @Test
  void aLaneThatEmptiesForfeitsTheRestOfItsTurnAndSavesNoCredit() {
    AdmissionQueue queue = weighted();
    queue.add(call("g1", "gold"), 100);
    queue.add(call("b1", "bronze"), 100);
    queue.add(call("b2", "bronze"), 100);
    assertEquals(List.of("g1", "b1"), startOneByOne(queue, 2), "gold had one of its three: bronze's turn");
    for (int i = 2; i <= 4; i++) {
      queue.add(call("g" + i, "gold"), 100);
    }
    assertEquals(List.of("b2", "g2", "g3", "g4"), startOneByOne(queue, 4),
        "gold comes back last in the round, with a fresh turn of three, not the two it left");
  }

  /** Starts one queued call (a slot of {@code slots} has freed) and returns it, told to the queue as running. */
  private static String startOne(AdmissionQueue queue, long slots) {
    List<ModelPool.Call> one = new ArrayList<>();
    queue.startWhile(slots, c -> one.isEmpty() && one.add(c) && started(queue, c));
    return one.get(0).request().attemptId();
  }

  @Test
  void aLaneRunningLessThanItsShareOfTheSlotsStartsFirstInOrOutOfItsTurn() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    long slots = 4; // two tenants of weight 1 waiting: a share of 2 slots each
    for (int i = 1; i <= 6; i++) {
      queue.add(call("n" + i, "noisy"), 100);
    }
    for (int i = 0; i < 4; i++) {
      queue.started("noisy"); // noisy had the pool to itself: it runs 4
    }
    queue.add(call("q1", "quiet"), 100);
    queue.add(call("q2", "quiet"), 100);
    queue.add(call("q3", "quiet"), 100);

    queue.finished("noisy");
    assertEquals("q1", startOne(queue, slots), "noisy's turn, but quiet runs 0 of its 2 and noisy 3: quiet first");
    queue.finished("noisy");
    assertEquals("q2", startOne(queue, slots), "quiet 1 of its 2, noisy 2 of its 2");
    queue.finished("noisy");
    assertEquals("n1", startOne(queue, slots), "quiet runs its 2: the slot noisy freed (its 1 of 2) is noisy's");
    assertEquals(2, queue.running("quiet"));
    assertEquals(2, queue.running("noisy"));
    queue.finished("noisy");
    assertEquals("n2", startOne(queue, slots), "noisy under its share again");
    queue.finished("quiet");
    assertEquals("q3", startOne(queue, slots), "and the slot quiet frees goes to quiet's next call");
    queue.finished("quiet");
    assertEquals("n3", startOne(queue, slots), "quiet has nothing waiting: the free slot never idles");
    assertEquals(3, queue.running("noisy"));
    assertEquals(1, queue.running("quiet"));
  }

  @Test
  void atOrOverTheirSharesTheLanesTakeTurnsAsBefore() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    for (int i = 1; i <= 3; i++) {
      queue.add(call("a" + i, "a"), 100);
      queue.add(call("b" + i, "b"), 100);
      queue.started("a");
      queue.started("b");
    }
    // 4 slots, each tenant running 3 (the pool lost a worker, say): neither is under its 2
    assertEquals(List.of("a1", "b1", "a2", "b2"), List.of(startOne(queue, 4), startOne(queue, 4), startOne(queue, 4),
        startOne(queue, 4)), "round robin, a's turn first");
  }

  @Test
  void aCallThatCannotStartStaysNextInItsTurn() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    queue.add(call("a1", "a"), 100);
    queue.add(call("b1", "b"), 100);
    queue.startWhile(1, c -> false);
    queue.startWhile(1, c -> false);
    assertEquals(List.of("a1", "b1"), startOneByOne(queue, 2), "offers that start nothing change no turn");
  }

  @Test
  void aRetryGoesFirstInItsTenantsLane() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    queue.add(call("a1", "a"), 100);
    queue.add(call("b1", "b"), 100);
    queue.addFirst(call("b-retried", "b"), 100);
    assertEquals(List.of("a1", "b-retried", "b1"), startOneByOne(queue, 3));
  }

  @Test
  void theCallsAheadOfANewcomerAreThoseTheRoundRobinStartsBeforeIt() {
    AdmissionQueue queue = weighted();
    assertEquals(0, queue.callsAhead("bronze"), "an empty queue");
    for (int i = 1; i <= 10; i++) {
      queue.add(call("n" + i, "noisy"), 100);
    }
    assertEquals(10, queue.callsAhead("noisy"), "its own lane: all of it, as first come, first served");
    assertEquals(1, queue.callsAhead("quiet"), "a new lane waits for one turn of the other (weight 1)");
    assertEquals(1, queue.callsAhead("gold"), "gold (3) starts its call within the first turn of noisy (1)");
    queue.add(call("q1", "quiet"), 100);
    assertEquals(3, queue.callsAhead("quiet"), "its own call and two of noisy's");
    assertEquals(2, queue.callsAhead(null), "unmetered: a lane like any other, after one of noisy's and quiet's");
    AdmissionQueue unmetered = new AdmissionQueue(Duration.ofMillis(1000));
    for (int i = 1; i <= 4; i++) {
      unmetered.add(call("u" + i, (String) null), 100);
    }
    assertEquals(4, unmetered.callsAhead(null), "without tenants: the whole queue, as before");
  }

  @Test
  void whenFullANewcomerTakesThePlaceOfTheNewestCallOfTheTenantHoldingMostForItsWeight() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    for (int i = 1; i <= 4; i++) {
      queue.add(call("n" + i, "noisy"), 100);
    }
    assertTrue(queue.pushOutCandidate("noisy").isEmpty(), "alone it may fill the queue, but not push itself out");
    for (int i = 1; i <= 2; i++) {
      ModelPool.Call out = queue.pushOutCandidate("quiet").orElseThrow();
      assertEquals("n" + (5 - i), out.request().attemptId(), "noisy's newest");
      assertTrue(queue.remove(out));
      queue.add(call("q" + i, "quiet"), 100);
    }
    assertEquals(2, queue.size("noisy"));
    assertEquals(2, queue.size("quiet"));
    assertTrue(queue.pushOutCandidate("quiet").isEmpty(), "2 and 2: quiet has its share, it is refused");
    assertTrue(queue.pushOutCandidate("noisy").isEmpty(), "and so is noisy");
    assertEquals("n2", queue.pushOutCandidate("third").orElseThrow().request().attemptId(),
        "a third tenant with nothing queued takes the newest place of the first biggest lane");
    assertFalse(queue.remove(call("n9", "noisy")), "not queued");
  }

  @Test
  void aHeavierTenantIsPushedOutOnlyBeyondItsWeightedShare() {
    AdmissionQueue queue = weighted();
    for (int i = 1; i <= 4; i++) {
      queue.add(call("g" + i, "gold"), 100);
    }
    ModelPool.Call out = queue.pushOutCandidate("bronze").orElseThrow();
    assertEquals("g4", out.request().attemptId(), "4 for weight 3 is more than bronze's 1 for weight 1");
    queue.remove(out);
    queue.add(call("b1", "bronze"), 100);
    assertTrue(queue.pushOutCandidate("bronze").isEmpty(), "3 of 4 for gold, 1 for bronze: 3:1, its weights");
    assertTrue(queue.pushOutCandidate("gold").isEmpty(), "and gold, with 3, is refused too: bronze's 1 of weight 1"
        + " is not more than gold's 4 of weight 3 would be");
  }
}
