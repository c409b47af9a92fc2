package dev.switchyard.simulator.backend;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a simulated backend misbehaves, chosen by name (conventions #15, reliability-plan.md). Every random
 * choice a persona implies is drawn by the backend from a generator seeded with the fleet seed, the replica
 * and the attempt id, so a failing run replays exactly.
 *
 * <ul>
 *   <li>{@code healthy}: answers as recorded.</li>
 *   <li>{@code slow}: time to first token multiplied by {@code switchyard.simulator.personas.slow-ttft-factor}
 *       (10).</li>
 *   <li>{@code gpu-slow}: time to first token raised by {@code personas.gpu-slow-ttft} (10 s), the B-2
 *       scenario.</li>
 *   <li>{@code flaky-<pct>}: pct% of calls fail with {@code SERVER_ERROR} (a 5xx).</li>
 *   <li>{@code error}: every call fails with {@code SERVER_ERROR}.</li>
 *   <li>{@code 429-retry-after-<N>s}: every call is refused with {@code RATE_LIMITED} and a retry-after of N
 *       seconds; {@code 429-<pct>-retry-after-<N>s} refuses pct% of calls (the B-3 storm).</li>
 *   <li>{@code truncate-stream} (alias {@code gpu-truncate-stream}), {@code truncate-stream-<pct>}: the stream
 *       is cut at a random token: {@code TRUNCATED} after part of the decode time.</li>
 *   <li>{@code oom}, {@code oom-<N>}: the replica answers N calls (default
 *       {@code personas.oom-after-calls}), then runs out of GPU memory and fails every later call with
 *       {@code SERVER_ERROR} until its persona is changed (a chaos schedule can heal it).</li>
 *   <li>{@code lost-reply-<pct>}: pct% of calls are executed and billed but their reply is lost on the way
 *       back: the caller sees {@code TIMEOUT}, and a retry with the same attempt id gets the answer without
 *       a second execution (the ambiguous-write scenario T0-2).</li>
 *   <li>{@code bad-request} ({@code CLIENT_ERROR}, a 400) and {@code unauthorized} (a 401): never worth
 *       retrying, for the router tests of T0-3.</li>
 * </ul>
 */
public sealed interface FaultPersona {
  /** The canonical name, which {@link #parse} turns back into this persona. */
  String name();

  record Healthy() implements FaultPersona {
    @Override
    public String name() {
      return "healthy";
    }
  }

  record Slow() implements FaultPersona {
    @Override
    public String name() {
      return "slow";
    }
  }

  record GpuSlow() implements FaultPersona {
    @Override
    public String name() {
      return "gpu-slow";
    }
  }

  /** Fails {@code percent}% of calls with a server error; {@code error} is {@code Flaky(100)}. */
  record Flaky(int percent) implements FaultPersona {
    public Flaky {
      checkPercent(percent, "flaky");
    }

    @Override
    public String name() {
      return percent == 100 ? "error" : "flaky-" + percent;
    }
  }

  record RateLimited(int percent, Duration retryAfter) implements FaultPersona {
    public RateLimited {
      checkPercent(percent, "429");
      if (retryAfter.isNegative()) {
        throw new IllegalArgumentException("429 persona: retry-after must be >= 0, got " + retryAfter);
      }
    }

    @Override
    public String name() {
      String secs = retryAfter.toMillis() % 1000 == 0 ? Long.toString(retryAfter.toSeconds())
          : Double.toString(retryAfter.toMillis() / 1000.0);
      return (percent == 100 ? "429" : "429-" + percent) + "-retry-after-" + secs + "s";
    }
  }

  record TruncateStream(int percent) implements FaultPersona {
    public TruncateStream {
      checkPercent(percent, "truncate-stream");
    }

    @Override
    public String name() {
      return percent == 100 ? "truncate-stream" : "truncate-stream-" + percent;
    }
  }

  /** Answers {@code callsBeforeCrash} calls, then fails every call; 0 means the persona's configured default. */
  record Oom(int callsBeforeCrash) implements FaultPersona {
    public Oom {
      if (callsBeforeCrash < 0) {
        throw new IllegalArgumentException("oom persona: calls before the crash must be >= 0, got "
            + callsBeforeCrash);
      }
    }

    @Override
    public String name() {
      return callsBeforeCrash == 0 ? "oom" : "oom-" + callsBeforeCrash;
    }
  }

  record LostReply(int percent) implements FaultPersona {
    public LostReply {
      checkPercent(percent, "lost-reply");
    }

    @Override
    public String name() {
      return "lost-reply-" + percent;
    }
  }

  record BadRequest() implements FaultPersona {
    @Override
    public String name() {
      return "bad-request";
    }
  }

  record Unauthorized() implements FaultPersona {
    @Override
    public String name() {
      return "unauthorized";
    }
  }

  String KNOWN = "healthy, slow, gpu-slow, flaky-<pct>, error, 429-retry-after-<N>s, 429-<pct>-retry-after-<N>s, "
      + "truncate-stream, truncate-stream-<pct>, gpu-truncate-stream, oom, oom-<calls>, lost-reply-<pct>, bad-request, unauthorized";

  Pattern FLAKY = Pattern.compile("flaky-(\\d+)");
  Pattern RATE_LIMITED = Pattern.compile("429(?:-(\\d+))?-retry-after-(\\d+(?:\\.\\d+)?)s");
  Pattern TRUNCATE = Pattern.compile("(?:gpu-)?truncate-stream(?:-(\\d+))?");
  Pattern OOM = Pattern.compile("oom(?:-(\\d+))?");
  Pattern LOST_REPLY = Pattern.compile("lost-reply-(\\d+)");

  static FaultPersona healthy() {
    return new Healthy();
  }

  /**
   * Parses a persona name (case-insensitive).
   *
   * @throws IllegalArgumentException naming the bad value and listing the known forms
   */
  static FaultPersona parse(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("empty fault persona; known: " + KNOWN);
    }
    String n = name.strip().toLowerCase(Locale.ROOT);
    switch (n) {
      case "healthy":
        return new Healthy();
      case "slow":
        return new Slow();
      case "gpu-slow":
        return new GpuSlow();
      case "error":
        return new Flaky(100);
      case "bad-request":
        return new BadRequest();
      case "unauthorized":
        return new Unauthorized();
      default:
        break;
    }
    try {
      Matcher m = FLAKY.matcher(n);
      if (m.matches()) {
        return new Flaky(Integer.parseInt(m.group(1)));
      }
      m = RATE_LIMITED.matcher(n);
      if (m.matches()) {
        int pct = m.group(1) == null ? 100 : Integer.parseInt(m.group(1));
        long millis = Math.round(Double.parseDouble(m.group(2)) * 1000);
        return new RateLimited(pct, Duration.ofMillis(millis));
      }
      m = TRUNCATE.matcher(n);
      if (m.matches()) {
        return new TruncateStream(m.group(1) == null ? 100 : Integer.parseInt(m.group(1)));
      }
      m = LOST_REPLY.matcher(n);
      if (m.matches()) {
        return new LostReply(Integer.parseInt(m.group(1)));
      }
      m = OOM.matcher(n);
      if (m.matches()) {
        return new Oom(m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("fault persona '" + name + "': number out of range");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("fault persona '" + name + "': " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("unknown fault persona '" + name + "'; known: " + KNOWN);
  }

  private static void checkPercent(int percent, String persona) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException(persona + " persona: percent must be in 0..100, got " + percent);
    }
  }
}
