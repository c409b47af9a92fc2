package dev.switchyard.simulator.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A homogeneous Poisson process: independent exponential gaps of mean {@code 1 / rate}. */
public record PoissonArrivals(double rate) implements ArrivalProcess {
  public PoissonArrivals {
    ArrivalProcess.checkRate(rate);
  }

  @Override
  public List<Double> arrivals(double durationSeconds, Random random) {
    ArrivalProcess.checkDuration(durationSeconds);
    List<Double> out = new ArrayList<>();
    double t = ArrivalProcess.exponential(random, rate);
    while (t < durationSeconds) {
      out.add(t);
      t += ArrivalProcess.exponential(random, rate);
    }
    return out;
  }

  @Override
  public double meanRate() {
    return rate;
  }

  @Override
  public String name() {
    return "poisson";
  }
}
