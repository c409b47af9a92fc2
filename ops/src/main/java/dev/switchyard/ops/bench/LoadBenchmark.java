package dev.switchyard.ops.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.simulator.cli.LatencyHistogram;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A closed-loop HTTP load test of {@code POST /v1/chat/completions} (ephemeral or durable) or {@code POST /v1/jobs}
 * (see {@link Kind}): {@code concurrency} clients each send
 * their next request as soon as the previous one is answered, until {@code requests} have been sent or
 * {@code maxDuration} has passed. Only servers on this machine (loopback addresses) may be targeted, so the
 * benchmark cannot be pointed at someone else's service.
 */
public final class LoadBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadBenchmark() {}

  /**
   * What each request asks for: an ephemeral chat completion (200 is success), a durable one (journaled before it
   * is answered; 200), or a one-step durable job (202 once its acceptance is journaled; the job runs on after).
   */
  public enum Kind {
    CHAT("chat", "/v1/chat/completions", 200),
    DURABLE_CHAT("durable-chat", "/v1/chat/completions", 200),
    JOBS("jobs", "/v1/jobs", 202);

    final String wire;
    final String path;
    final int success;

    Kind(String wire, String path, int success) {
      this.wire = wire;
      this.path = path;
      this.success = success;
    }

    public static Kind parse(String value) {
      for (Kind k : values()) {
        if (k.wire.equals(value)) {
          return k;
        }
      }
      throw new IllegalArgumentException("--kind must be chat, durable-chat or jobs, got " + value);
    }
  }

  public record Settings(URI baseUrl, String model, int requests, int concurrency, Duration maxDuration,
      Duration requestTimeout, boolean stream, List<String> prompts, Kind kind) {
    public Settings {
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(kind, "kind");
      if (stream && kind == Kind.JOBS) {
        throw new IllegalArgumentException("--stream applies to chat completions, not to --kind jobs");
      }
      if (requests < 1 || requests > 1_000_000) {
        throw new IllegalArgumentException("requests must be 1..1000000, got " + requests);
      }
      if (concurrency < 1 || concurrency > 256) {
        throw new IllegalArgumentException("concurrency must be 1..256, got " + concurrency);
      }
      if (maxDuration.isNegative() || maxDuration.isZero() || maxDuration.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("max duration must be between 1 ms and 1 h, got " + maxDuration);
      }
      prompts = List.copyOf(prompts);
      if (prompts.isEmpty()) {
        throw new IllegalArgumentException("at least one prompt is needed");
      }
    }
  }

  /**
   * One request's outcome; status -1 when no HTTP answer came (connection refused, timeout).
   *
   * @param firstTokenMs a streamed answer's time to its first piece of content, NaN when not streamed or none came
   */
  record Sample(int status, double latencyMs, double costUsd, String answerModel, boolean streamComplete,
      double firstTokenMs) {
    Sample(int status, double latencyMs, double costUsd, String answerModel, boolean streamComplete) {
      this(status, latencyMs, costUsd, answerModel, streamComplete, Double.NaN);
    }
  }

  /** Refuses anything but a loopback http URL. */
  public static void requireLoopback(URI url) {
    if (!"http".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException("--url must be an http URL of a server on this machine, got " + url);
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(url.getHost())) {
        if (!a.isLoopbackAddress()) {
          throw new IllegalArgumentException("bench load only targets servers on this machine (loopback); "
              + url.getHost() + " resolves to " + a.getHostAddress());
        }
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--url host cannot be resolved: " + url.getHost());
    }
  }

  public static ObjectNode run(Settings s) throws InterruptedException {
    requireLoopback(s.baseUrl());
    URI endpoint = s.baseUrl().resolve(s.kind().path);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    long deadline = start + s.maxDuration().toNanos();
    ExecutorService clients = Executors.newFixedThreadPool(s.concurrency());
    try {
      for (int c = 0; c < s.concurrency(); c++) {
        clients.execute(() -> {
          int i;
          while (System.nanoTime() < deadline && (i = next.getAndIncrement()) < s.requests()) {
            samples.add(send(client, endpoint, s, s.prompts().get(i % s.prompts().size())));
          }
        });
      }
      clients.shutdown();
      long waitMs = s.maxDuration().plus(s.requestTimeout()).plusSeconds(5).toMillis();
      if (!clients.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
        clients.shutdownNow();
      }
    } finally {
      clients.shutdownNow();
    }
    double elapsedS = (System.nanoTime() - start) / 1e9;
    return report(s, new ArrayList<>(samples), elapsedS);
  }

  private static Sample send(HttpClient client, URI endpoint, Settings s, String prompt) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", s.model());
    if (s.kind() != Kind.JOBS) {
      body.put("stream", s.stream());
    }
    if (s.kind() == Kind.DURABLE_CHAT) {
      body.putObject("switchyard").put("durability", "durable");
    }
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    long t0 = System.nanoTime();
    try {
      HttpRequest request = HttpRequest.newBuilder(endpoint)
          .timeout(s.requestTimeout())
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
          .build();
      if (s.stream()) {
        return streamed(client, request, t0);
      }
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      double ms = (System.nanoTime() - t0) / 1e6;
      double cost = r.headers().firstValue("x-switchyard-cost-usd").map(Double::parseDouble).orElse(Double.NaN);
      String model = r.headers().firstValue("x-switchyard-model").orElse(null);
      return new Sample(r.statusCode(), ms, cost, model, true);
    } catch (IOException e) {
      return new Sample(-1, (System.nanoTime() - t0) / 1e6, Double.NaN, null, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Sample(-1, (System.nanoTime() - t0) / 1e6, Double.NaN, null, false);
    }
  }

  /**
   * A streamed request read event by event: the time of the first event with content is its time to first
   * token; the summary comes in the last chunk before {@code [DONE]} instead of headers.
   */
  private static Sample streamed(HttpClient client, HttpRequest request, long t0)
      throws IOException, InterruptedException {
    HttpResponse<java.util.stream.Stream<String>> r = client.send(request,
        HttpResponse.BodyHandlers.ofLines());
    double firstToken = Double.NaN;
    String last = null;
    String beforeLast = null;
    try (var lines = r.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (!line.startsWith("data: ")) {
          continue;
        }
        String data = line.substring(6);
        if (Double.isNaN(firstToken) && data.startsWith("{")) {
          var content = JSON.readTree(data).at("/choices/0/delta/content");
          if (content.isTextual() && !content.asText().isEmpty()) {
            firstToken = (System.nanoTime() - t0) / 1e6;
          }
        }
        beforeLast = last;
        last = data;
      }
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    double cost = Double.NaN;
    String model = null;
    if (r.statusCode() == 200 && beforeLast != null && beforeLast.startsWith("{")) {
      var sy = JSON.readTree(beforeLast).path("switchyard");
      cost = sy.path("cost_usd").asDouble(Double.NaN);
      model = sy.path("answer_model").isTextual() ? sy.get("answer_model").asText() : "none";
    }
    return new Sample(r.statusCode(), ms, cost, model, "[DONE]".equals(last), firstToken);
  }

  static ObjectNode report(Settings s, List<Sample> samples, double elapsedS) {
    ObjectNode root = JSON.createObjectNode();
    root.put("url", s.baseUrl().toString());
    root.put("model", s.model());
    root.put("kind", s.kind().wire);
    root.put("stream", s.stream());
    root.put("concurrency", s.concurrency());
    root.put("requests_planned", s.requests());
    root.put("requests_sent", samples.size());
    root.put("stopped_by", samples.size() >= s.requests() ? "count" : "time");
    root.put("elapsed_s", round(elapsedS, 3));
    Map<String, Integer> statuses = new TreeMap<>();
    Map<String, Integer> models = new TreeMap<>();
    List<Double> okLatency = new ArrayList<>();
    List<Double> firstTokens = new ArrayList<>();
    double costSum = 0;
    int costN = 0;
    int incompleteStreams = 0;
    for (Sample x : samples) {
      statuses.merge(x.status() < 0 ? "no_response" : Integer.toString(x.status()), 1, Integer::sum);
      if (x.status() == s.kind().success) {
        okLatency.add(x.latencyMs());
        if (Double.isFinite(x.firstTokenMs())) {
          firstTokens.add(x.firstTokenMs());
        }
        if (x.answerModel() != null) {
          models.merge(x.answerModel(), 1, Integer::sum);
        }
        if (Double.isFinite(x.costUsd())) {
          costSum += x.costUsd();
          costN++;
        }
        if (!x.streamComplete()) {
          incompleteStreams++;
        }
      }
    }
    ObjectNode st = root.putObject("status_counts");
    statuses.forEach(st::put);
    root.put("ok", okLatency.size());
    root.put("errors", samples.size() - okLatency.size());
    root.put("incomplete_streams", incompleteStreams);
    root.put("throughput_rps", elapsedS > 0 ? round(samples.size() / elapsedS, 2) : 0);
    root.put("goodput_rps", elapsedS > 0 ? round(okLatency.size() / elapsedS, 2) : 0);
    distribution(root.putObject("latency_ms_ok"), okLatency);
    if (s.stream()) {
      // time to the first event with content, over the successful streams that had one
      distribution(root.putObject("first_token_ms_ok"), firstTokens);
    }
    if (costN > 0) {
      root.put("mean_cost_usd", costSum / costN);
    } else {
      root.putNull("mean_cost_usd");
    }
    ObjectNode share = root.putObject("answer_models");
    models.forEach(share::put);
    ArrayNode notes = root.putArray("notes");
    notes.add("closed loop: each client sends its next request when the previous one is answered");
    notes.add("latency is client-side wall time over loopback, including JSON encoding and parsing");
    return root;
  }

  private static void distribution(ObjectNode into, List<Double> values) {
    if (!values.isEmpty()) {
      LatencyHistogram h = LatencyHistogram.of(values);
      into.put("p50", round(h.percentileMs(50), 2));
      into.put("p90", round(h.percentileMs(90), 2));
      into.put("p99", round(h.percentileMs(99), 2));
      into.put("max", round(h.maxMs(), 2));
      into.put("mean", round(h.meanMs(), 2));
    }
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
