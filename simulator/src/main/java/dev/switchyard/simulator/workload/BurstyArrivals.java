package dev.switchyard.simulator.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A two-state Markov-modulated Poisson process: calm periods at rate {@code r0} alternate with bursts at
 * {@code burstFactor * r0}. Bursts last {@code Exp(mean meanBurstSeconds)}, calm periods
 * {@code Exp(mean meanBurstSeconds (1 - burstShare) / burstShare)}, so bursts cover {@code burstShare} of the
 * time; {@code r0 = rate / (1 - burstShare + burstShare * burstFactor)} keeps the long-run mean at
 * {@code rate}. Counts per interval are over-dispersed (variance above the mean), unlike Poisson.
 */
public record BurstyArrivals(double rate, double burstFactor, double burstShare, double meanBurstSeconds)
    implements ArrivalProcess {
  public BurstyArrivals {
    ArrivalProcess.checkRate(rate);
    if (!(burstFactor >= 1)) {
      throw new IllegalArgumentException("burst factor must be >= 1, got " + burstFactor);
    }
    if (!(burstShare > 0 && burstShare < 1)) {
      throw new IllegalArgumentException("burst share must be in (0, 1), got " + burstShare);
    }
    if (!(meanBurstSeconds > 0)) {
      throw new IllegalArgumentException("mean burst must be > 0 seconds, got " + meanBurstSeconds);
    }
  }

  public double calmRate() {
    return rate / (1 - burstShare + burstShare * burstFactor);
  }

  @Override
  public List<Double> arrivals(double durationSeconds, Random random) {
    ArrivalProcess.checkDuration(durationSeconds);
    double calmRate = calmRate();
    double meanCalm = meanBurstSeconds * (1 - burstShare) / burstShare;
    boolean bursting = random.nextDouble() < burstShare;
    List<Double> out = new ArrayList<>();
    double t = 0;
    while (t < durationSeconds) {
      double periodEnd = Math.min(durationSeconds,
          t + ArrivalProcess.exponential(random, 1 / (bursting ? meanBurstSeconds : meanCalm)));
      double r = bursting ? calmRate * burstFactor : calmRate;
      double a = t + ArrivalProcess.exponential(random, r);
      while (a < periodEnd) {
        out.add(a);
        a += ArrivalProcess.exponential(random, r);
      }
      t = periodEnd;
      bursting = !bursting;
    }
    return out;
  }

  @Override
  public double meanRate() {
    return rate;
  }

  @Override
  public String name() {
    return "bursty";
  }
}
