package dev.switchyard.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ArrivalProcessTest {
  private static final Config WORKLOAD = ConfigFactory.load().getConfig("switchyard.simulator.workload");

  private static int[] perSecond(List<Double> times, int seconds) {
    int[] counts = new int[seconds];
    times.forEach(t -> counts[(int) Math.floor(t)]++);
    return counts;
  }

  private static double dispersion(int[] counts) {
    double mean = java.util.Arrays.stream(counts).average().orElseThrow();
    double var = java.util.Arrays.stream(counts).mapToDouble(c -> (c - mean) * (c - mean)).sum() / (counts.length - 1);
    return var / mean;
  }

  @Test
  void poissonArrivesAtItsRateWithPoissonDispersion() {
    List<Double> times = ArrivalProcess.named("poisson", 50, WORKLOAD).arrivals(200, new Random(1));
    // 10000 expected, sd 100: within 4 sd
    assertTrue(Math.abs(times.size() - 10_000) < 400, "arrivals " + times.size());
    double d = dispersion(perSecond(times, 200));
    assertTrue(d > 0.7 && d < 1.3, "index of dispersion " + d);
    for (int i = 1; i < times.size(); i++) {
      assertTrue(times.get(i) >= times.get(i - 1));
    }
  }

  @Test
  void burstyKeepsTheMeanRateButIsOverDispersed() {
    // ~600 burst cycles: the share of time in bursts, hence the rate, has an sd of about 1.2/s
    List<Double> times = ArrivalProcess.named("bursty", 50, WORKLOAD).arrivals(20_000, new Random(2));
    double rate = times.size() / 20_000.0;
    assertTrue(Math.abs(rate - 50) < 5, "mean rate " + rate);
    double d = dispersion(perSecond(times, 20_000));
    assertTrue(d > 5, "bursts: per-second counts vary far more than Poisson, dispersion " + d);
  }

  @Test
  void diurnalRisesInTheFirstHalfOfThePeriodAndFallsInTheSecond() {
    DiurnalArrivals d = (DiurnalArrivals) ArrivalProcess.named("diurnal", 40, WORKLOAD);
    List<Double> times = d.arrivals(600, new Random(3)); // 10 periods of 60 s
    assertTrue(Math.abs(times.size() - 24_000) < 4 * Math.sqrt(24_000), "arrivals " + times.size());
    long peakHalf = times.stream().filter(t -> (t % 60) < 30).count();
    long troughHalf = times.size() - peakHalf;
    // rate*(1 +- 2A/pi) over the halves: ratio (1 + 0.509) / (1 - 0.509) ~ 3.07
    double ratio = peakHalf / (double) troughHalf;
    assertTrue(ratio > 2.7 && ratio < 3.5, "peak/trough ratio " + ratio);
  }

  @Test
  void aWorkloadIsReproducibleFromItsSeed() {
    Map<String, RecordedOutcome> o = Map.of("m", new RecordedOutcome(1, 0, 1, 1, 1, 0, "a"));
    List<RecordedQuery> pool = List.of(new RecordedQuery("a", "t", "test", "A?", o),
        new RecordedQuery("b", "t", "test", "B?", o), new RecordedQuery("c", "t", "test", "C?", o));
    Workload w = new Workload(new PoissonArrivals(10), pool);
    assertEquals(w.generate(30, 5), w.generate(30, 5));
    assertTrue(!w.generate(30, 5).equals(w.generate(30, 6)));
    long distinct = w.generate(30, 5).stream().map(a -> a.query().id()).distinct().count();
    assertEquals(3, distinct);
  }

  @Test
  void unknownWorkloadsAndBadRatesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArrivalProcess.named("spiky", 5, WORKLOAD));
    assertTrue(e.getMessage().contains("spiky") && e.getMessage().contains("poisson"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PoissonArrivals(0));
    assertThrows(IllegalArgumentException.class, () -> new BurstyArrivals(5, 0.5, 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new DiurnalArrivals(5, 60, 1.5));
  }
}
