package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * Graceful shutdown keeps its promise, on a real {@code serve} JVM: after SIGTERM, requests in flight get the
 * whole {@code switchyard.http.shutdown-deadline} (4 s here, beyond Pekko's default 5 s phase timeout it must
 * not be cut by: the phase timeout follows the setting) and every one gets a complete HTTP response: its answer
 * if it finishes in time, else a 503 {@code shutting_down} JSON error; an open stream ends with a
 * {@code shutting_down} error event and {@code data: [DONE]}. No connection is reset, none left without a reply.
 *
 * <p>The tiny fleet is replayed 20 times slower, so the burst's answers take from about 2 s to 13 s (seen
 * without a shutdown): some finish during the 6 s drain, the others are still running at its end.
 */
class ServeShutdownTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DRAIN = Duration.ofSeconds(6);

  @TempDir
  Path dir;

  @Test
  void inFlightRequestsGetTheWholeDrainAndThenACompleteResponse() throws Exception {
    Path data = TinyDataset.write(dir.resolve("data"));
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (ServeProcess serve = ServeProcess.builder(dir.resolve("state"), data, dir.resolve("serve.log"))
        .property("switchyard.http.shutdown-deadline", DRAIN.toSeconds() + "s")
        .property("switchyard.pool.max-queue-wait", "60s")
        .args("--latency-scale", "20")
        .start()
        .awaitReady(Duration.ofSeconds(120))) {
      // One request first, so the pools have served a call (and the JVM is warm) before the burst.
      assertEquals(200, client.send(chat(serve, TinyDataset.QUESTIONS.get(0), false),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).statusCode());
      List<CompletableFuture<HttpResponse<String>>> plain = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        plain.add(client.sendAsync(chat(serve, TinyDataset.QUESTIONS.get(i % 8), false),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
      }
      List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        streams.add(client.sendAsync(chat(serve, TinyDataset.QUESTIONS.get(1 + 2 * i), true),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
      }
      Thread.sleep(1000);
      long sigterm = System.nanoTime();
      serve.terminate();

      int answered = 0;
      int shuttingDown = 0;
      long lastReplyMillis = 0;
      for (CompletableFuture<HttpResponse<String>> f : plain) {
        HttpResponse<String> r = reply(f, serve);
        lastReplyMillis = Math.max(lastReplyMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm));
        if (r.statusCode() == 200) {
          answered++;
          assertTrue(JSON.readTree(r.body()).path("choices").path(0).path("message").path("content").isTextual(),
              r.body());
        } else {
          assertEquals(503, r.statusCode(), r.body());
          JsonNode error = JSON.readTree(r.body()).path("error");
          assertEquals("shutting_down", error.path("code").asText(), r.body());
          assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 without Retry-After");
          shuttingDown++;
        }
      }
      for (CompletableFuture<HttpResponse<String>> f : streams) {
        HttpResponse<String> r = reply(f, serve);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), "a stream was cut: " + r.body());
        assertTrue(r.body().contains("\"shutting_down\""), "a hard question's stream should still run at the"
            + " deadline and end with the shutting_down event: " + r.body());
      }
      System.out.printf("shutdown: %d answered during the drain, %d got 503 shutting_down, last reply %d ms"
          + " after SIGTERM (drain %d ms)%n", answered, shuttingDown, lastReplyMillis, DRAIN.toMillis());
      assertTrue(answered > 0, "the easy questions finish within the drain");
      assertTrue(shuttingDown > 0, "the hard questions are still running at the deadline");
      assertTrue(lastReplyMillis >= DRAIN.toMillis() - 1500, "the drain was cut short: last reply "
          + lastReplyMillis + " ms after SIGTERM");
      // 143 = 128 + SIGTERM: the JVM's status after a signal, once its shutdown hook (coordinated shutdown) ran.
      assertEquals(143, serve.awaitExit(Duration.ofSeconds(60)), serve.tail(30));
      // Pekko logs asynchronously, so the very last lines of a terminating system may never be written: check
      // what is logged while the shutdown runs, that it ran as coordinated shutdown and no phase timed out.
      String log = serve.output();
      assertTrue(log.contains("Running CoordinatedShutdown with reason [JvmExitReason]"), serve.tail(30));
      assertFalse(log.contains("timed out after"), "a shutdown phase timed out:\n" + serve.tail(30));
    }
  }

  /** The response, or a failure with the server's log when the connection was cut (reset, EOF). */
  private static HttpResponse<String> reply(CompletableFuture<HttpResponse<String>> f, ServeProcess serve)
      throws Exception {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("a request got no complete response (" + e.getCause() + "); server log:\n"
          + serve.tail(40), e);
    }
  }

  private static HttpRequest chat(ServeProcess serve, String question, boolean stream) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", "switchyard/cascade", "stream", stream,
        "messages", List.of(Map.of("role", "user", "content", question))));
    return HttpRequest.newBuilder(URI.create(serve.base() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }
}
