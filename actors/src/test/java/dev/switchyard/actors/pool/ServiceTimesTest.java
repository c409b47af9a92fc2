package dev.switchyard.actors.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServiceTimesTest {
  @Test
  void theFirstSampleIsTakenAsItIsThenAveraged() {
    ServiceTimes service = new ServiceTimes(0.25);
    assertFalse(service.sampled());
    service.sample(100, true);
    assertTrue(service.sampled());
    assertEquals(100, service.latencyMs(), 1e-9);
    assertEquals(1, service.errorRate(), 1e-9);
    service.sample(200, false);
    assertEquals(0.25 * 200 + 0.75 * 100, service.latencyMs(), 1e-9);
    assertEquals(0.75, service.errorRate(), 1e-9);
  }

  @Test
  void noEstimateBeforeTheFirstCallFinishes() {
    assertEquals(0, new ServiceTimes(0.5).expectedWaitMillis(10, 1));
  }

  @Test
  void theQueueAheadAndTheCallItselfAreDrainedByTheSlots() {
    ServiceTimes service = new ServiceTimes(0.5);
    service.sample(100, false);
    assertEquals(100, service.expectedWaitMillis(0, 1), "alone: one service time");
    assertEquals(150, service.expectedWaitMillis(2, 2), "three calls over two slots");
    assertEquals(300, service.expectedWaitMillis(2, 0), "no slot admitting: counted as one");
  }
}
