package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload through real HTTP (issue 8): 300 concurrent chat requests against slow models (the tiny fleet at
 * latency scale 5: "small" 250 ms, "big" 2 s per call, 8 calls at once each). Work the pools cannot start within
 * {@code switchyard.pool.max-queue-wait} is refused at once, so the excess is answered 429 with a Retry-After
 * straight away instead of after seconds in a queue, the admitted requests finish near their unloaded latency
 * (without admission the last queued call on "big" would wait 64 x 2 s / 8 = 16 s), and {@code GET /health}
 * answers at once throughout. Prints the measured numbers.
 */
class OverloadEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONCURRENT = 300;

  @TempDir
  Path dir;

  private record Outcome(int status, long millis, String retryAfter, String code) {}

  @Test
  void theExcessIsRefusedAtOnceWith429AndTheAdmittedFinishNearTheirUnloadedLatency() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    // One client address opens the 300 connections; the per-client bound (256 by default) is not under test.
    try (TinyServer server = TinyServer.start(dir, 5.0, Map.of("switchyard.http.max-connections-per-client", 512))) {
      // Unloaded: every question once, at most 8 at a time, so no call waits (this also gives the pools their
      // measured service times).
      List<Outcome> unloaded = join(sendAll(client, server.base, TinyDataset.QUESTIONS));
      unloaded.forEach(o -> assertEquals(200, o.status(), o.toString()));
      long unloadedMax = unloaded.stream().mapToLong(Outcome::millis).max().orElseThrow();

      List<String> prompts = new ArrayList<>();
      for (int i = 0; i < CONCURRENT; i++) {
        prompts.add(TinyDataset.QUESTIONS.get(i % TinyDataset.QUESTIONS.size()));
      }
      List<CompletableFuture<Outcome>> burst = sendAll(client, server.base, prompts);
      List<Long> healthMillis = new ArrayList<>();
      while (burst.stream().anyMatch(f -> !f.isDone()) && healthMillis.size() < 20) {
        long start = System.nanoTime();
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(server.base + "/health"))
            .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        healthMillis.add(elapsedMillis(start));
        Thread.sleep(100);
      }
      List<Outcome> outcomes = join(burst);

      List<Long> admitted = outcomes.stream().filter(o -> o.status() == 200).map(Outcome::millis).sorted().toList();
      List<Outcome> refused = outcomes.stream().filter(o -> o.status() == 429).toList();
      List<Long> refusedMillis = refused.stream().map(Outcome::millis).sorted().toList();
      System.out.printf("overload: %d requests, unloaded max %d ms; %d admitted p50 %d ms p99 %d ms max %d ms;"
              + " %d refused (429) p50 %d ms p99 %d ms max %d ms; /health max %d ms over %d probes%n",
          CONCURRENT, unloadedMax, admitted.size(), pct(admitted, 50), pct(admitted, 99), pct(admitted, 100),
          refused.size(), pct(refusedMillis, 50), pct(refusedMillis, 99), pct(refusedMillis, 100),
          healthMillis.stream().mapToLong(Long::longValue).max().orElse(-1), healthMillis.size());

      assertEquals(CONCURRENT, admitted.size() + refused.size(),
          "every request is answered 200 or 429, nothing else: " + outcomes.stream()
              .filter(o -> o.status() != 200 && o.status() != 429).toList());
      assertTrue(refused.size() > 0, "the excess is refused");
      assertTrue(admitted.size() >= 16, "the pools' capacity is used: " + admitted.size() + " admitted");
      for (Outcome o : refused) {
        assertEquals("overloaded", o.code(), o.toString());
        assertTrue(o.retryAfter() != null && Long.parseLong(o.retryAfter()) >= 1, "Retry-After: " + o);
      }
      // Generous bounds that only a queue of seconds would break: the refusals come at once (a refused call
      // spends at most twice max-queue-wait, 2 s, per model it tried, and most none), the admitted finish near
      // their unloaded latency.
      assertTrue(pct(refusedMillis, 100) < 6_000, "refused within 6 s, not after a long queue: " + refusedMillis);
      assertTrue(pct(admitted, 100) < unloadedMax + 8_000, "admitted within the unloaded " + unloadedMax
          + " ms plus 8 s: " + admitted);
      assertTrue(healthMillis.size() > 0 && healthMillis.stream().allMatch(ms -> ms < 5_000),
          "/health answers at once during the overload: " + healthMillis);
    }
  }

  private static List<CompletableFuture<Outcome>> sendAll(HttpClient client, String base, List<String> prompts)
      throws Exception {
    List<CompletableFuture<Outcome>> all = new ArrayList<>();
    for (String prompt : prompts) {
      String body = JSON.writeValueAsString(Map.of("model", "switchyard/cascade",
          "messages", List.of(Map.of("role", "user", "content", prompt))));
      long start = System.nanoTime();
      all.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
              .timeout(Duration.ofSeconds(90)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> new Outcome(r.statusCode(), elapsedMillis(start),
              r.headers().firstValue("Retry-After").orElse(null), errorCode(r.body()))));
    }
    return all;
  }

  private static List<Outcome> join(List<CompletableFuture<Outcome>> futures) throws Exception {
    List<Outcome> out = new ArrayList<>();
    for (CompletableFuture<Outcome> f : futures) {
      out.add(f.get(120, TimeUnit.SECONDS));
    }
    return out;
  }

  private static String errorCode(String body) {
    try {
      JsonNode error = JSON.readTree(body).get("error");
      return error == null ? null : error.get("code").asText();
    } catch (Exception e) {
      return "unparseable: " + body;
    }
  }

  private static long elapsedMillis(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static long pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
