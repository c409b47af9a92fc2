package dev.switchyard.simulator.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultPersonaTest {
  @Test
  void parsesEveryNamedPersona() {
    assertEquals(new FaultPersona.Healthy(), FaultPersona.parse("healthy"));
    assertEquals(new FaultPersona.Slow(), FaultPersona.parse("SLOW"));
    assertEquals(new FaultPersona.GpuSlow(), FaultPersona.parse("gpu-slow"));
    assertEquals(new FaultPersona.Flaky(50), FaultPersona.parse("flaky-50"));
    assertEquals(new FaultPersona.Flaky(100), FaultPersona.parse("error"));
    assertEquals(new FaultPersona.RateLimited(100, Duration.ofSeconds(2)), FaultPersona.parse("429-retry-after-2s"));
    assertEquals(new FaultPersona.RateLimited(80, Duration.ofMillis(1500)),
        FaultPersona.parse("429-80-retry-after-1.5s"));
    assertEquals(new FaultPersona.TruncateStream(100), FaultPersona.parse("truncate-stream"));
    assertEquals(new FaultPersona.TruncateStream(100), FaultPersona.parse("gpu-truncate-stream"));
    assertEquals(new FaultPersona.TruncateStream(25), FaultPersona.parse("truncate-stream-25"));
    assertEquals(new FaultPersona.Oom(0), FaultPersona.parse("oom"));
    assertEquals(new FaultPersona.Oom(7), FaultPersona.parse("oom-7"));
    assertEquals(new FaultPersona.LostReply(30), FaultPersona.parse("lost-reply-30"));
    assertEquals(new FaultPersona.BadRequest(), FaultPersona.parse("bad-request"));
    assertEquals(new FaultPersona.Unauthorized(), FaultPersona.parse("unauthorized"));
  }

  @Test
  void aPersonaNameParsesBackToItself() {
    for (String name : List.of("healthy", "slow", "gpu-slow", "flaky-5", "error", "429-retry-after-2s",
        "429-80-retry-after-1.5s", "truncate-stream", "truncate-stream-25", "oom", "oom-7", "lost-reply-30", "bad-request",
        "unauthorized")) {
      assertEquals(name, FaultPersona.parse(name).name());
    }
  }

  @Test
  void anUnknownNameIsRefusedWithTheKnownForms() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultPersona.parse("wobbly"));
    assertTrue(e.getMessage().contains("unknown fault persona 'wobbly'"), e.getMessage());
    assertTrue(e.getMessage().contains("flaky-<pct>"), e.getMessage());
  }

  @Test
  void outOfRangeNumbersAreRefusedNamingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultPersona.parse("flaky-150"));
    assertTrue(e.getMessage().contains("flaky-150") && e.getMessage().contains("0..100"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FaultPersona.parse("flaky-99999999999"));
    assertThrows(IllegalArgumentException.class, () -> FaultPersona.parse(""));
    assertThrows(IllegalArgumentException.class, () -> FaultPersona.parse("429-retry-after-s"));
  }
}
