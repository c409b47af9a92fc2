package dev.switchyard.actors.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkerSlotsTest {
  /** Two failures within 1 s open a circuit for 500 ms. */
  private static CircuitBreaker breaker() {
    return new CircuitBreaker(2, 1000, 500);
  }

  private static WorkerSlots<String> slots(int maxPerWorker, String... workers) {
    WorkerSlots<String> slots = new WorkerSlots<>(maxPerWorker);
    for (String w : workers) {
      slots.add(w, breaker());
    }
    return slots;
  }

  @Test
  void aCallGoesToTheLeastBusyWorkerUpToItsConcurrency() {
    WorkerSlots<String> slots = slots(2, "w0", "w1");
    assertEquals(Optional.of("w0"), slots.acquire(0, -1));
    assertEquals(Optional.of("w1"), slots.acquire(0, -1));
    assertEquals(Optional.of("w0"), slots.acquire(0, -1));
    assertEquals(Optional.of("w1"), slots.acquire(0, -1));
    assertEquals(Optional.empty(), slots.acquire(0, -1), "both at max-concurrency-per-worker");
    assertEquals(4, slots.inFlight());
    slots.finished(1, 10, false, false);
    assertEquals(Optional.of("w1"), slots.acquire(10, -1));
  }

  @Test
  void aRetryAvoidsTheWorkerItFailedOnWhileAnotherIsFree() {
    WorkerSlots<String> slots = slots(2, "w0", "w1");
    assertEquals(Optional.of("w1"), slots.acquire(0, 0));
    assertEquals(Optional.of("w1"), slots.acquire(0, 0), "w1 busier, but w0 is avoided");
    assertEquals(Optional.of("w0"), slots.acquire(0, 0), "w1 full: w0 after all");
  }

  @Test
  void failuresThatCountAgainstTheBackendOpenItsCircuit() {
    WorkerSlots<String> slots = slots(4, "w0", "w1");
    for (int i = 0; i < 2; i++) {
      slots.acquire(0, 1);
      slots.finished(0, 10, true, false); // a client error: neutral
    }
    assertEquals(List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.CLOSED), slots.states(10));
    for (int i = 0; i < 2; i++) {
      slots.acquire(0, 1);
      slots.finished(0, 20, true, true);
    }
    assertEquals(List.of(CircuitBreaker.State.OPEN, CircuitBreaker.State.CLOSED), slots.states(20));
    assertEquals(1, slots.admitting(20));
    assertFalse(slots.allOpen(20));
    assertEquals(Optional.of("w1"), slots.acquire(20, -1), "w0's circuit refuses it");
    assertEquals(0, slots.millisUntilProbe(20), "w1 is closed: no wait");
  }

  @Test
  void everyCircuitOpenTellsWhenTheFirstProbeMayGo() {
    WorkerSlots<String> slots = slots(4, "w0");
    for (int i = 0; i < 2; i++) {
      slots.acquire(0, -1);
      slots.finished(0, 100, true, true);
    }
    assertTrue(slots.allOpen(100));
    assertEquals(0, slots.admitting(100));
    assertEquals(Optional.empty(), slots.acquire(100, -1));
    assertEquals(400, slots.millisUntilProbe(200));
    assertEquals(Optional.of("w0"), slots.acquire(600, -1), "half-open after the cooldown: the probe");
  }

  @Test
  void noWorkersIsEmptyAndCountsAsAllOpen() {
    WorkerSlots<String> slots = slots(1);
    assertTrue(slots.isEmpty());
    assertTrue(slots.allOpen(0));
    assertEquals(0, slots.millisUntilProbe(0));
    assertEquals(Optional.empty(), slots.acquire(0, -1));
  }
}
