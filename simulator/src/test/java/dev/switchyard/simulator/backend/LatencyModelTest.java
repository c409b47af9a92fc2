package dev.switchyard.simulator.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.strategies.data.RecordedOutcome;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyModelTest {
  private static final RecordedOutcome CALL = new RecordedOutcome(1, 0.001, 100, 10, 300, -0.1, "x");
  private static final LatencyModel EXACT = new LatencyModel(4000, 60, 4, 0.1, 0.0, 500);

  @Test
  void anIdleReplicaAnswersInTheRecordedTime() {
    LatencyModel.Timing t = EXACT.timing(CALL, 1, 300, new SplittableRandom(1));
    assertEquals(300, t.totalMs(), 1e-9);
    assertEquals(300 - 10 / 60.0 * 1000, t.ttftMs(), 1e-9);
  }

  @Test
  void batchingStretchesPrefillAndDecode() {
    // 3 in flight, batch 4: stretch 1 + 0.1 * 2 = 1.2 on prefill (25 ms) and decode (166.67 ms)
    LatencyModel.Timing t = EXACT.timing(CALL, 3, 300, new SplittableRandom(1));
    double prefill = 25;
    double decode = 10 / 60.0 * 1000;
    assertEquals(300 - prefill - decode + 1.2 * (prefill + decode), t.totalMs(), 1e-9);
  }

  @Test
  void callsBeyondTheBatchQueue() {
    // 10 in flight, batch 4: 6 queued, wait 6/4 mean services of 400 ms; stretch 1 + 0.1 * 3
    LatencyModel.Timing t = EXACT.timing(CALL, 10, 400, new SplittableRandom(1));
    double prefill = 25;
    double decode = 10 / 60.0 * 1000;
    assertEquals(6 / 4.0 * 400 + 300 - prefill - decode + 1.3 * (prefill + decode), t.totalMs(), 1e-9);
  }

  @Test
  void noiseHasMeanOneAndIsSeeded() {
    LatencyModel noisy = new LatencyModel(4000, 60, 4, 0.1, 0.25, 500);
    SplittableRandom random = new SplittableRandom(42);
    double sum = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      sum += noisy.timing(CALL, 1, 300, random).totalMs();
    }
    // lognormal(sigma .25) has sd ~0.25 of the mean; the mean of 20k draws is within 1% (4.5 standard errors)
    assertEquals(300, sum / n, 3.0);
    double seeded = noisy.timing(CALL, 1, 300, new SplittableRandom(9)).totalMs();
    assertEquals(seeded, noisy.timing(CALL, 1, 300, new SplittableRandom(9)).totalMs(), "the same seed, the same draw");
    // and there is noise to seed: a model that ignored its random source would pass the two checks above
    assertNotEquals(seeded, noisy.timing(CALL, 1, 300, new SplittableRandom(10)).totalMs());
  }

  @Test
  void tokenRatesThatExplainMoreThanTheRecordingAreShrunkToIt() {
    RecordedOutcome longAnswer = new RecordedOutcome(1, 0.001, 100, 600, 1000, -0.1, "x");
    LatencyModel.Timing t = EXACT.timing(longAnswer, 1, 1000, new SplittableRandom(1));
    assertEquals(1000, t.totalMs(), 1e-9);
    assertTrue(t.ttftMs() < 10, "no overhead left: TTFT is the shrunk prefill " + t.ttftMs());
  }

  @Test
  void rejectsNonsenseSettings() {
    assertThrows(IllegalArgumentException.class, () -> new LatencyModel(0, 60, 4, 0.1, 0, 500));
    assertThrows(IllegalArgumentException.class, () -> new LatencyModel(4000, 60, 0, 0.1, 0, 500));
  }
}
