package dev.switchyard.simulator.backend;

import com.typesafe.config.Config;
import dev.switchyard.strategies.data.RecordedOutcome;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The simulated timing of one call on one GPU replica, around the latency the real model was recorded with.
 *
 * <p>The recorded latency {@code L} is split into prefill {@code in / prefillRate}, decode
 * {@code out / decodeRate} and a fixed overhead (network, scheduling) {@code L - prefill - decode}; when the
 * token rates explain more than {@code L}, prefill and decode are shrunk to fit it. With {@code n} calls on the
 * replica (this one included) and a batch capacity {@code B} (like vLLM's max sequences), {@code min(n, B)}
 * sequences share the GPU and each one's prefill and decode are stretched by
 * {@code 1 + slowdown * (min(n, B) - 1)} (batching raises throughput but not per-sequence speed), and the
 * {@code max(0, n - B)} calls beyond the batch wait {@code (n - B) / B} mean service times. A lognormal factor
 * {@code exp(sigma Z - sigma^2 / 2)} (mean 1) drawn from the call's seeded generator adds noise. So load
 * raises latency, and an idle replica answers in about the recorded time.
 *
 * @param prefillTokensPerSecond prompt processing rate of one sequence
 * @param decodeTokensPerSecond generation rate of one sequence
 * @param maxBatch sequences decoded together before further calls queue
 * @param batchSlowdown per-sequence stretch for each other sequence in the batch
 * @param noiseSigma standard deviation of the log of the noise factor
 * @param defaultLatencyMs assumed latency when the recording has none
 */
public record LatencyModel(double prefillTokensPerSecond, double decodeTokensPerSecond, int maxBatch,
    double batchSlowdown, double noiseSigma, double defaultLatencyMs) {

  public LatencyModel {
    if (prefillTokensPerSecond <= 0 || decodeTokensPerSecond <= 0) {
      throw new IllegalArgumentException("token rates must be > 0, got prefill=" + prefillTokensPerSecond
          + " decode=" + decodeTokensPerSecond);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("max-batch must be >= 1, got " + maxBatch);
    }
    if (batchSlowdown < 0 || noiseSigma < 0 || defaultLatencyMs < 0) {
      throw new IllegalArgumentException("batch-slowdown, noise-sigma and default-latency-ms must be >= 0");
    }
  }

  /** From {@code switchyard.simulator.latency}. */
  public static LatencyModel fromConfig(Config latency) {
    return new LatencyModel(latency.getDouble("prefill-tokens-per-second"),
        latency.getDouble("decode-tokens-per-second"), latency.getInt("max-batch"),
        latency.getDouble("batch-slowdown"), latency.getDouble("noise-sigma"),
        latency.getDuration("default-latency", java.util.concurrent.TimeUnit.MICROSECONDS) / 1000.0);
  }

  /**
   * The timing of one call, in simulated milliseconds.
   *
   * @param ttftMs queue wait plus time to the first token
   * @param decodeMs time from the first to the last token
   */
  public record Timing(double ttftMs, double decodeMs) {
    public double totalMs() {
      return ttftMs + decodeMs;
    }

    public Timing withExtraTtft(double extraMs) {
      return new Timing(ttftMs + extraMs, decodeMs);
    }
  }

  /**
   * @param inFlight calls on the replica including this one
   * @param meanServiceMs recent mean service time of the replica, for the queue wait
   */
  public Timing timing(RecordedOutcome outcome, int inFlight, double meanServiceMs, SplittableRandom random) {
    double recorded = outcome.hasLatency() && outcome.latencyMs() > 0 ? outcome.latencyMs() : defaultLatencyMs;
    double prefill = outcome.inTokens() / prefillTokensPerSecond * 1000.0;
    double decode = outcome.outTokens() / decodeTokensPerSecond * 1000.0;
    if (prefill + decode > recorded && prefill + decode > 0) {
      double shrink = recorded / (prefill + decode);
      prefill *= shrink;
      decode *= shrink;
    }
    double overhead = Math.max(0, recorded - prefill - decode);
    int running = Math.min(Math.max(inFlight, 1), maxBatch);
    int queued = Math.max(0, inFlight - maxBatch);
    double stretch = 1 + batchSlowdown * (running - 1);
    double noise = noiseSigma == 0 ? 1.0
        : Math.exp(noiseSigma * gaussian(random) - noiseSigma * noiseSigma / 2);
    double wait = queued == 0 ? 0 : (double) queued / maxBatch * meanServiceMs;
    return new Timing(wait + (overhead + prefill * stretch) * noise, decode * stretch * noise);
  }

  /** The unloaded, noise-free service time of a recording, used to seed a replica's mean service time. */
  public double baseMs(RecordedOutcome outcome) {
    return outcome.hasLatency() && outcome.latencyMs() > 0 ? outcome.latencyMs() : defaultLatencyMs;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    double u1 = random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  static Duration millis(double ms) {
    return Duration.ofNanos(Math.round(ms * 1_000_000));
  }
}
