package dev.switchyard.simulator.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosScheduleTest {
  @Test
  void parsesAndSortsEvents() {
    ChaosSchedule s = ChaosSchedule.parse("90s:big=healthy; 500ms:*=flaky-20\n30s : big = error, 1.5m:small=oom");
    assertEquals(List.of("500ms:*=flaky-20", "30000ms:big=error", "90000ms:big=healthy", "90000ms:small=oom"),
        s.events().stream().map(ChaosSchedule.Event::toString).toList());
  }

  @Test
  void aCursorReturnsEachDueEventOnce() {
    ChaosSchedule.Cursor c = ChaosSchedule.parse("0s:big=error,10s:big=healthy").cursor();
    assertEquals(1, c.advanceTo(Duration.ZERO).size());
    assertEquals(Duration.ofSeconds(10), c.nextAt());
    assertEquals(0, c.advanceTo(Duration.ofSeconds(9)).size());
    assertEquals("healthy", c.advanceTo(Duration.ofSeconds(11)).get(0).persona().name());
    assertNull(c.nextAt());
  }

  @Test
  void applyingAnEventSwitchesTheMatchingReplicas() {
    PromptIndex index = TestData.index();
    ReplayBackend small = ReplayBackend.builder("small", index).build();
    ReplayBackend big = ReplayBackend.builder("big", index).build();
    try {
      Map<String, List<ReplayBackend>> fleet = Map.of("small", List.of(small), "big", List.of(big));
      ChaosSchedule.apply(ChaosSchedule.parse("1s:big=error").events().get(0), fleet);
      assertEquals("healthy", small.persona().name());
      assertEquals("error", big.persona().name());
      ChaosSchedule.apply(ChaosSchedule.parse("2s:*=slow").events().get(0), fleet);
      assertEquals("slow", small.persona().name());
      assertEquals("slow", big.persona().name());
    } finally {
      small.close();
      big.close();
    }
  }

  @Test
  void malformedEventsAndUnknownModelsAreRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("soon:big=error"));
    assertTrue(e.getMessage().contains("'soon:big=error'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("5s:big=wobbly"));
    assertTrue(e.getMessage().contains("wobbly"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ChaosSchedule.parse("5s:gpt-9=error").checkModels(List.of("small", "big")));
    assertTrue(e.getMessage().contains("gpt-9"), e.getMessage());
  }
}
