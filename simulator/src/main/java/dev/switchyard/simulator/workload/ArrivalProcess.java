package dev.switchyard.simulator.workload;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * When requests arrive, in seconds from the start of a run. Implementations draw only from the given seeded
 * generator, so a workload replays exactly.
 */
public interface ArrivalProcess {
  /** Arrival times in {@code [0, durationSeconds)}, ascending. */
  List<Double> arrivals(double durationSeconds, Random random);

  /** The long-run mean arrival rate, per second. */
  double meanRate();

  String name();

  /**
   * The named process ({@code poisson}, {@code bursty}, {@code diurnal}) at a mean rate, shaped by
   * {@code switchyard.simulator.workload}.
   *
   * @throws IllegalArgumentException naming an unknown process or a bad rate
   */
  static ArrivalProcess named(String name, double rate, Config workload) {
    String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    switch (n) {
      case "poisson":
        return new PoissonArrivals(rate);
      case "bursty": {
        Config b = workload.getConfig("bursty");
        return new BurstyArrivals(rate, b.getDouble("burst-factor"), b.getDouble("burst-share"),
            b.getDuration("mean-burst", TimeUnit.MILLISECONDS) / 1000.0);
      }
      case "diurnal": {
        Config d = workload.getConfig("diurnal");
        return new DiurnalArrivals(rate, d.getDuration("period", TimeUnit.MILLISECONDS) / 1000.0,
            d.getDouble("amplitude"));
      }
      default:
        throw new IllegalArgumentException("unknown workload '" + name + "'; known: poisson, bursty, diurnal");
    }
  }

  static void checkRate(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("arrival rate must be a finite number > 0 per second, got " + rate);
    }
  }

  static void checkDuration(double durationSeconds) {
    if (!(durationSeconds >= 0) || Double.isInfinite(durationSeconds)) {
      throw new IllegalArgumentException("duration must be a finite number >= 0 seconds, got " + durationSeconds);
    }
  }

  static double exponential(Random random, double rate) {
    return -Math.log(1 - random.nextDouble()) / rate;
  }
}
