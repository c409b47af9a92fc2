package dev.switchyard.ops.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.simulator.cli.LatencyHistogram;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;

/**
 * Open-loop HTTP load at a fixed offered rate: request {@code i} is due at {@code start + i / rate} whether or not
 * earlier ones were answered, and its latency counts from that intended send time, not from when a connection
 * was free to take it. A server slower than the offered rate therefore shows its queueing in the percentiles
 * instead of slowing the generator down (coordinated omission, as wrk2 and HdrHistogram describe it).
 *
 * <p>Requests go over a fixed number of keep-alive connections (Pekko HTTP's host pool, one request at a time per
 * connection); requests due while every connection is busy wait in the pool's queue, and that wait is part of
 * their latency. Each rate is run for a warm-up that is not counted, then for the measured duration.
 */
public final class OpenLoopLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param headers extra request headers (a gateway's provider headers, say)
   * @param streamed whether a body is a stream that must end with {@code data: [DONE]} to count as answered
   */
  public record Settings(URI url, byte[] body, Map<String, String> headers, boolean streamed, int connections,
      Duration warmup, Duration duration, Duration requestTimeout) {
    public Settings {
      Objects.requireNonNull(url, "url");
      LoadBenchmark.requireLoopback(url);
      headers = Map.copyOf(headers);
      if (connections < 1 || connections > 1024) {
        throw new IllegalArgumentException("--connections must be 1..1024, got " + connections);
      }
      if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("--duration must be between 1 ms and 1 h, got " + duration);
      }
      if (warmup.isNegative() || warmup.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("--warmup must be between 0 and 10 min, got " + warmup);
      }
    }
  }

  private final Settings settings;
  private final ActorSystem system;
  private final Materializer materializer;
  private final Http http;

  private OpenLoopLoad(Settings settings) {
    this.settings = settings;
    // A queue deep enough for a server that falls behind for the whole run at the highest rate: a request the
    // queue cannot take is reported as the generator's overflow, not as the server's error.
    Config config = ConfigFactory.parseString(
        "pekko.loglevel = WARNING\n"
        + "pekko.http.host-connection-pool.max-connections = " + settings.connections() + "\n"
        + "pekko.http.host-connection-pool.min-connections = " + settings.connections() + "\n"
        + "pekko.http.host-connection-pool.max-open-requests = 131072\n"
        + "pekko.http.host-connection-pool.pipelining-limit = 1\n"
        + "pekko.http.host-connection-pool.max-retries = 0\n"
        + "pekko.http.client.idle-timeout = infinite\n"
        + "pekko.http.host-connection-pool.keep-alive-timeout = infinite\n"
        + "pekko.http.host-connection-pool.idle-timeout = infinite\n")
        .withFallback(ConfigFactory.load());
    this.system = ActorSystem.create("bench-rate", config);
    this.materializer = Materializer.createMaterializer(system);
    this.http = Http.get(system);
  }

  /** Runs every rate in turn (each with its own warm-up) and reports them in one JSON object. */
  public static ObjectNode run(Settings settings, List<Double> rates) {
    for (double rate : rates) {
      if (!(rate > 0 && rate <= 100_000)) {
        throw new IllegalArgumentException("--rates: a rate must be in (0, 100000] requests/s, got " + rate);
      }
    }
    OpenLoopLoad load = new OpenLoopLoad(settings);
    try {
      ObjectNode out = JSON.createObjectNode();
      out.put("url", settings.url().toString());
      out.put("connections", settings.connections());
      out.put("warmup_s", settings.warmup().toMillis() / 1000.0);
      out.put("duration_s", settings.duration().toMillis() / 1000.0);
      out.put("streamed", settings.streamed());
      var runs = out.putArray("rates");
      for (double rate : rates) {
        runs.add(load.runAt(rate));
      }
      return out;
    } finally {
      load.system.terminate();
    }
  }

  private ObjectNode runAt(double rate) {
    Window warm = new Window();
    send(rate, settings.warmup(), warm);
    warm.awaitAll(settings.requestTimeout());
    Window measured = new Window();
    long measuredStart = send(rate, settings.duration(), measured);
    measured.awaitAll(settings.requestTimeout());
    return measured.report(rate, measuredStart);
  }

  /** Sends at {@code rate} for {@code length}; returns the first request's intended send time (nanoTime). */
  private long send(double rate, Duration length, Window window) {
    double periodNanos = 1e9 / rate;
    long count = Math.round(length.toNanos() / periodNanos);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
    for (long i = 0; i < count; i++) {
      long intended = start + Math.round(i * periodNanos);
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        // Parking overshoots by tens of microseconds: the requests that became due meanwhile go at once, and
        // their latency still counts from their intended time.
        LockSupport.parkNanos(wait);
      }
      window.sent(intended, http.singleRequest(request()).toCompletableFuture()
          .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .thenCompose(this::readBody));
    }
    return start;
  }

  private HttpRequest request() {
    HttpRequest r = HttpRequest.POST(settings.url().toString())
        .withEntity(ContentTypes.APPLICATION_JSON, settings.body());
    for (Map.Entry<String, String> h : settings.headers().entrySet()) {
      r = r.addHeader((HttpHeader) RawHeader.create(h.getKey(), h.getValue()));
    }
    return r;
  }

  private CompletableFuture<Outcome> readBody(HttpResponse response) {
    int status = response.status().intValue();
    return response.entity().toStrict(settings.requestTimeout().toMillis(), materializer).toCompletableFuture()
        .thenApply(strict -> {
          String body = strict.getData().utf8String();
          boolean complete = !settings.streamed() || body.stripTrailing().endsWith("data: [DONE]");
          return new Outcome(status, complete);
        });
  }

  /** A request's HTTP status, and whether its body was whole (a stream that reached its end). */
  private record Outcome(int status, boolean complete) {}

  /** The requests of one run: their latencies from intended send time, outcomes and the last completion. */
  private static final class Window {
    private final LatencyHistogram ok = new LatencyHistogram();
    private final Map<String, Long> errors = new TreeMap<>();
    private final AtomicLong outstanding = new AtomicLong();
    private long sent;
    private long lastCompletion;

    void sent(long intendedNanos, CompletableFuture<Outcome> outcome) {
      sent++;
      outstanding.incrementAndGet();
      outcome.whenComplete((o, failure) -> {
        long now = System.nanoTime();
        synchronized (this) {
          lastCompletion = Math.max(lastCompletion, now);
          if (failure == null && o.status() == 200 && o.complete()) {
            ok.record((now - intendedNanos) / 1e6);
          } else {
            errors.merge(failure != null ? kindOf(failure) : o.status() != 200 ? "http_" + o.status()
                : "incomplete_stream", 1L, Long::sum);
          }
        }
        outstanding.decrementAndGet();
      });
    }

    private static String kindOf(Throwable failure) {
      Throwable t = failure.getCause() != null ? failure.getCause() : failure;
      String name = t.getClass().getSimpleName();
      return name.contains("BufferOverflow") ? "generator_queue_full" : name.contains("Timeout") ? "timeout"
          : "connection_" + name;
    }

    /** Waits until every request is answered or failed; the per-request timeout bounds the wait. */
    void awaitAll(Duration requestTimeout) {
      long deadline = System.nanoTime() + requestTimeout.toNanos() + TimeUnit.SECONDS.toNanos(5);
      while (outstanding.get() > 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }

    synchronized ObjectNode report(double rate, long startNanos) {
      ObjectNode r = JSON.createObjectNode();
      r.put("offered_rps", rate);
      r.put("sent", sent);
      r.put("ok", ok.count());
      long unanswered = outstanding.get();
      if (unanswered > 0) {
        errors.merge("unanswered", unanswered, Long::sum);
      }
      r.put("errors", errors.values().stream().mapToLong(Long::longValue).sum());
      ObjectNode kinds = r.putObject("error_kinds");
      errors.forEach(kinds::put);
      double elapsedS = (lastCompletion - startNanos) / 1e9;
      r.put("elapsed_s", Math.round(elapsedS * 1000) / 1000.0);
      r.put("achieved_rps", elapsedS > 0 ? Math.round(ok.count() / elapsedS * 10) / 10.0 : 0);
      BenchReport.putLatencies(r, "latency_ms", ok);
      return r;
    }
  }

  /** The JSON body of a one-message chat completion for {@code model}. */
  public static byte[] chatBody(String model, String prompt, boolean stream) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    if (stream) {
      body.put("stream", true);
    }
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }
}
