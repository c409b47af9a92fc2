package dev.switchyard.simulator.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A non-homogeneous Poisson process with a daily swing compressed into {@code periodSeconds}:
 * {@code lambda(t) = rate (1 + amplitude sin(2 pi t / period))}, drawn by thinning (Lewis &amp; Shedler,
 * 1979): candidates at the peak rate {@code rate (1 + amplitude)}, each kept with probability
 * {@code lambda(t) / peak}.
 */
public record DiurnalArrivals(double rate, double periodSeconds, double amplitude) implements ArrivalProcess {
  public DiurnalArrivals {
    ArrivalProcess.checkRate(rate);
    if (!(periodSeconds > 0)) {
      throw new IllegalArgumentException("diurnal period must be > 0 seconds, got " + periodSeconds);
    }
    if (!(amplitude >= 0 && amplitude <= 1)) {
      throw new IllegalArgumentException("diurnal amplitude must be in [0, 1], got " + amplitude);
    }
  }

  public double rateAt(double t) {
    return rate * (1 + amplitude * Math.sin(2 * Math.PI * t / periodSeconds));
  }

  @Override
  public List<Double> arrivals(double durationSeconds, Random random) {
    ArrivalProcess.checkDuration(durationSeconds);
    double peak = rate * (1 + amplitude);
    List<Double> out = new ArrayList<>();
    double t = ArrivalProcess.exponential(random, peak);
    while (t < durationSeconds) {
      if (random.nextDouble() * peak < rateAt(t)) {
        out.add(t);
      }
      t += ArrivalProcess.exponential(random, peak);
    }
    return out;
  }

  @Override
  public double meanRate() {
    return rate;
  }

  @Override
  public String name() {
    return "diurnal";
  }
}
