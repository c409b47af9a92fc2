package dev.switchyard.actors.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LogCapturingExtension.class)
class CircuitBreakerTest {
  @Test
  void opensAfterThresholdFailuresWithinTheWindow() {
    CircuitBreaker b = new CircuitBreaker(3, 1_000, 500);
    b.onFailure(0);
    b.onFailure(100);
    assertEquals(CircuitBreaker.State.CLOSED, b.state(150));
    b.onFailure(200);
    assertEquals(CircuitBreaker.State.OPEN, b.state(200));
    assertFalse(b.tryAcquire(300));
    assertEquals(400, b.millisUntilProbe(300));
  }

  @Test
  void failuresOutsideTheWindowDoNotCount() {
    CircuitBreaker b = new CircuitBreaker(3, 1_000, 500);
    b.onFailure(0);
    b.onFailure(100);
    b.onFailure(1_200);
    assertEquals(CircuitBreaker.State.CLOSED, b.state(1_200));
  }

  @Test
  void halfOpensAfterTheCooldownAndAdmitsExactlyOneProbe() {
    CircuitBreaker b = new CircuitBreaker(1, 1_000, 500);
    b.onFailure(0);
    assertFalse(b.tryAcquire(499));
    assertEquals(CircuitBreaker.State.HALF_OPEN, b.state(500));
    assertTrue(b.tryAcquire(500));
    assertFalse(b.tryAcquire(501));
  }

  @Test
  void aSuccessfulProbeClosesAndAFailedOneReopens() {
    CircuitBreaker closing = new CircuitBreaker(1, 1_000, 500);
    closing.onFailure(0);
    assertTrue(closing.tryAcquire(600));
    closing.onSuccess(700);
    assertEquals(CircuitBreaker.State.CLOSED, closing.state(700));
    assertTrue(closing.tryAcquire(701));

    CircuitBreaker reopening = new CircuitBreaker(1, 1_000, 500);
    reopening.onFailure(0);
    assertTrue(reopening.tryAcquire(600));
    reopening.onFailure(650);
    assertEquals(CircuitBreaker.State.OPEN, reopening.state(1_100));
    assertEquals(CircuitBreaker.State.HALF_OPEN, reopening.state(1_150));
  }

  @Test
  void rejectsNonsenseSettings() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(0, 1, 1));
    assertTrue(e.getMessage().contains("threshold"));
  }
}
