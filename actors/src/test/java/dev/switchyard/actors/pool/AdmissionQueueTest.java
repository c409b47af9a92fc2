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
    queue.startWhile(c -> started.size() < 2 && started.add(c.request().attemptId()));
    assertEquals(List.of("a", "b"), started);
    assertEquals(1, queue.size());
    queue.startWhile(c -> started.add(c.request().attemptId()));
    assertTrue(queue.isEmpty());
    assertEquals(List.of("a", "b", "c"), started);
  }

  @Test
  void aRetryGoesFirstInLine() {
    AdmissionQueue queue = new AdmissionQueue(Duration.ofMillis(1000));
    queue.add(call("a", 0), 100);
    queue.addFirst(call("retried", 0), 100);
    List<String> started = new ArrayList<>();
    queue.startWhile(c -> started.add(c.request().attemptId()));
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
}
