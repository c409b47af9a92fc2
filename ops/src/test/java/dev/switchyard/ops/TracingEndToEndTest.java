package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces of the real HTTP API of a one-node engine built, as {@code serve} builds it, from a fleet configuration
 * whose model is an {@code openai} backend pointed at a local OpenAI-compatible mock, with the SDK's in-memory
 * exporter: one SERVER span per request, one CLIENT span per upstream attempt (a pool's retry included) as its
 * child in the same trace, the GenAI attributes, the request's {@code traceparent} sent upstream, and nothing of
 * the prompt in any attribute. Every message between actors is serialized on the way (Kryo), as it is between
 * nodes, so the trace context survives the wire.
 */
class TracingEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PIPELINE = "acme/chat";
  static final String REMOTE_MODEL = "acme/small-v1";
  /** What the mock says answered (a provider may name a snapshot of the model asked for). */
  private static final String ANSWERING_MODEL = "acme/small-v1-2026-01";
  private static final String PROMPT = "What is the capital of Atlantis? secret-marker-7f3a";
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  @TempDir
  static Path dir;

  private static final MockUpstreams MOCKS = new MockUpstreams();
  /** Calls the mock will answer 503 before it answers again. */
  static final AtomicInteger FAIL_NEXT = new AtomicInteger();
  /** The {@code traceparent} header of each call the mock received (null when absent). */
  static final List<String> TRACEPARENTS = new CopyOnWriteArrayList<>();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static TracedNode node;
  private static InMemorySpanExporter exported;
  private static String base;
  private static int mockPort;

  @BeforeAll
  static void start() throws Exception {
    String mock = MOCKS.start("acme", TracingEndToEndTest::answer);
    mockPort = URI.create(mock).getPort();
    node = TracedNode.start(fleetFile(dir, mock), dir.resolve("state"),
        Map.of("pekko.actor.serialize-messages", "on"));
    assertTrue(node.system.settings().config().getBoolean("pekko.actor.serialize-messages"));
    exported = node.spans;
    base = node.base;
  }

  /** One openai model over {@code mock}, and a pipeline over it. */
  static Path fleetFile(Path dir, String mock) throws IOException {
    Path file = dir.resolve("fleet.conf");
    Files.writeString(file, """
        switchyard.models {
          acme-small { base-url = "%s", remote-model = "%s",
                       price { input-per-mtok = 0.5, output-per-mtok = 1.5 } }
        }
        switchyard.pipelines {
          "%s" { strategy = fallback, models = [acme-small] }
        }
        """.formatted(mock, REMOTE_MODEL, PIPELINE));
    return file;
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    MOCKS.close();
  }

  @BeforeEach
  void clear() {
    exported.reset();
    TRACEPARENTS.clear();
    FAIL_NEXT.set(0);
  }

  @Test
  void aChatCompletionIsOneServerSpanWithOneClientSpanPerUpstreamCallAsItsChild() throws Exception {
    HttpResponse<String> response = chat(false, Map.of());
    assertEquals(200, response.statusCode(), response.body());
    String queryId = JSON.readTree(response.body()).path("id").asText();

    List<SpanData> spans = spansOfOneRequest(1);
    SpanData server = only(spans, SpanKind.SERVER);
    SpanData attempt = only(spans, SpanKind.CLIENT);

    assertEquals("POST /v1/chat/completions", server.getName());
    assertEquals("POST", server.getAttributes().get(AttributeKey.stringKey("http.request.method")));
    assertEquals("/v1/chat/completions", server.getAttributes().get(AttributeKey.stringKey("http.route")));
    assertEquals(200L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals("chat", server.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")));
    assertEquals(PIPELINE, server.getAttributes().get(AttributeKey.stringKey("switchyard.pipeline")));
    assertEquals(PIPELINE, server.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")));
    assertEquals(queryId, server.getAttributes().get(AttributeKey.stringKey("switchyard.query.id")));
    assertEquals("acme-small", server.getAttributes().get(AttributeKey.stringKey("switchyard.answer.model")));
    assertEquals(1L, server.getAttributes().get(AttributeKey.longKey("switchyard.rounds")));
    assertEquals(Double.parseDouble(response.headers().firstValue("x-switchyard-cost-usd").orElseThrow()),
        server.getAttributes().get(AttributeKey.doubleKey("switchyard.cost.usd")), 1e-12);
    assertEquals(11L, server.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
    assertEquals(7L, server.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
    assertEquals(64L, server.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens")));
    assertEquals(StatusCode.UNSET, server.getStatus().getStatusCode());

    assertEquals("chat " + REMOTE_MODEL, attempt.getName());
    assertEquals("chat", attempt.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")));
    assertEquals("openai", attempt.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")));
    assertEquals(REMOTE_MODEL, attempt.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")));
    assertEquals(ANSWERING_MODEL, attempt.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model")));
    assertEquals(64L, attempt.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens")));
    assertEquals(11L, attempt.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
    assertEquals(7L, attempt.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
    assertEquals(List.of("stop"), attempt.getAttributes().get(AttributeKey.stringArrayKey(
        "gen_ai.response.finish_reasons")));
    assertEquals("127.0.0.1", attempt.getAttributes().get(AttributeKey.stringKey("server.address")));
    assertEquals((long) mockPort, attempt.getAttributes().get(AttributeKey.longKey("server.port")));
    assertEquals(200L, attempt.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals(queryId + "/1", attempt.getAttributes().get(AttributeKey.stringKey("switchyard.attempt.id")));
    assertEquals(StatusCode.UNSET, attempt.getStatus().getStatusCode());

    assertEquals(server.getTraceId(), attempt.getTraceId());
    assertEquals(server.getSpanId(), attempt.getParentSpanId());
    assertFalse(server.getParentSpanContext().isValid(), "a request without traceparent starts a trace");
    // the upstream got the attempt's context, so a traced server joins the same trace
    assertEquals(1, TRACEPARENTS.size(), TRACEPARENTS.toString());
    assertTrue(TRACEPARENTS.get(0).startsWith("00-" + attempt.getTraceId() + "-" + attempt.getSpanId() + "-"),
        TRACEPARENTS.get(0));
    assertNoPromptIn(spans);
  }

  @Test
  void aRetriedUpstreamCallIsTwoAttemptSpansTheFirstWithItsErrorType() throws Exception {
    FAIL_NEXT.set(1);
    HttpResponse<String> response = chat(false, Map.of());
    assertEquals(200, response.statusCode(), response.body());

    List<SpanData> spans = spansOfOneRequest(2);
    SpanData server = only(spans, SpanKind.SERVER);
    List<SpanData> attempts = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT)
        .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    assertEquals(2, attempts.size(), spans.toString());
    SpanData failed = attempts.get(0);
    SpanData retried = attempts.get(1);
    assertEquals("503", failed.getAttributes().get(ERROR_TYPE));
    assertEquals(StatusCode.ERROR, failed.getStatus().getStatusCode());
    assertEquals(503L, failed.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals(null, retried.getAttributes().get(ERROR_TYPE));
    assertEquals(StatusCode.UNSET, retried.getStatus().getStatusCode());
    // the pool retried the same call: one attempt id, billed once
    assertEquals(failed.getAttributes().get(AttributeKey.stringKey("switchyard.attempt.id")),
        retried.getAttributes().get(AttributeKey.stringKey("switchyard.attempt.id")));
    for (SpanData attempt : attempts) {
      assertEquals(server.getTraceId(), attempt.getTraceId());
      assertEquals(server.getSpanId(), attempt.getParentSpanId());
    }
    assertNotEquals(failed.getSpanId(), retried.getSpanId());
    assertEquals(StatusCode.UNSET, server.getStatus().getStatusCode(), "the request itself was answered");
    assertEquals(2, TRACEPARENTS.size());
    assertNoPromptIn(spans);
  }

  @Test
  void aStreamedCompletionsSpanEndsWithTheStreamAndHasTheResult() throws Exception {
    HttpResponse<String> response = chat(true, Map.of());
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("data: [DONE]"), response.body());

    List<SpanData> spans = spansOfOneRequest(1);
    SpanData server = only(spans, SpanKind.SERVER);
    SpanData attempt = only(spans, SpanKind.CLIENT);
    assertEquals(true, server.getAttributes().get(AttributeKey.booleanKey("switchyard.stream")));
    assertEquals("acme-small", server.getAttributes().get(AttributeKey.stringKey("switchyard.answer.model")));
    assertEquals(1L, server.getAttributes().get(AttributeKey.longKey("switchyard.rounds")));
    assertEquals(true, attempt.getAttributes().get(AttributeKey.booleanKey("switchyard.stream")));
    assertEquals(7L, attempt.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
    assertEquals(server.getSpanId(), attempt.getParentSpanId());
    assertTrue(server.getEndEpochNanos() >= attempt.getEndEpochNanos(), "the request ends after its call");
    assertNoPromptIn(spans);
  }

  @Test
  void aRequestThatComesWithATraceparentJoinsItsCallersTrace() throws Exception {
    String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    HttpResponse<String> response = chat(false, Map.of("traceparent", "00-" + callerTrace + "-" + callerSpan
        + "-01"));
    assertEquals(200, response.statusCode(), response.body());

    List<SpanData> spans = spansOfOneRequest(1);
    SpanData server = only(spans, SpanKind.SERVER);
    SpanData attempt = only(spans, SpanKind.CLIENT);
    assertEquals(callerTrace, server.getTraceId());
    assertEquals(callerSpan, server.getParentSpanId());
    assertEquals(callerTrace, attempt.getTraceId());
    assertEquals(server.getSpanId(), attempt.getParentSpanId());
  }

  @Test
  void aRefusedRequestIsStillASpanWithItsStatus() throws Exception {
    HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"no-such-pipeline\",\"messages\":[{\"role\":"
            + "\"user\",\"content\":\"" + PROMPT + "\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, response.statusCode(), response.body());

    SpanData server = only(spansOfOneRequest(0), SpanKind.SERVER);
    assertEquals(404L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    // a client's mistake is not the server's error
    assertEquals(StatusCode.UNSET, server.getStatus().getStatusCode());
    assertTrue(TRACEPARENTS.isEmpty(), "no upstream call was made");
  }

  @Test
  void everyV1RouteIsASpanNamedAfterItsTemplate() throws Exception {
    HttpResponse<String> models = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/models"))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, models.statusCode(), models.body());
    HttpResponse<String> job = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/job-unknown"))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, job.statusCode(), job.body());

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (exported.getFinishedSpanItems().size() < 2 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    List<String> names = exported.getFinishedSpanItems().stream().map(SpanData::getName).sorted().toList();
    assertEquals(List.of("GET /v1/jobs/{id}", "GET /v1/models"), names);
  }

  /**
   * Waits until the request's SERVER span and {@code attempts} CLIENT spans have ended (the server span of a
   * stream ends just after its last byte is written); returns every span exported by then.
   */
  private static List<SpanData> spansOfOneRequest(int attempts) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < until) {
      List<SpanData> spans = exported.getFinishedSpanItems();
      long servers = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).count();
      long clients = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).count();
      if (servers >= 1 && clients >= attempts) {
        Thread.sleep(200); // and none more arrives
        return exported.getFinishedSpanItems();
      }
      Thread.sleep(20);
    }
    return exported.getFinishedSpanItems();
  }

  private static SpanData only(List<SpanData> spans, SpanKind kind) {
    List<SpanData> of = spans.stream().filter(s -> s.getKind() == kind).toList();
    assertEquals(1, of.size(), kind + " spans: " + spans);
    return of.get(0);
  }

  /** No attribute of any span holds the prompt, or a piece of it. */
  static void assertNoPromptIn(List<SpanData> spans) {
    for (SpanData span : spans) {
      span.getAttributes().forEach((key, value) -> {
        String text = String.valueOf(value);
        assertFalse(text.contains("secret-marker") || text.contains("Atlantis"),
            span.getName() + " attribute " + key + " holds prompt text: " + text);
      });
      assertFalse(span.getName().contains("Atlantis"), span.getName());
      assertNotNull(span.getStatus());
      assertFalse(String.valueOf(span.getStatus().getDescription()).contains("Atlantis"));
    }
  }

  private static HttpResponse<String> chat(boolean stream, Map<String, String> headers) throws Exception {
    return chat(base, stream, headers);
  }

  static HttpResponse<String> chat(String base, boolean stream, Map<String, String> headers) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", PIPELINE, "max_tokens", 64, "stream", stream,
        "messages", List.of(Map.of("role", "user", "content", PROMPT))));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The mock upstream: 503 while {@link #FAIL_NEXT} says so, else an answer (streamed when asked). */
  static void answer(HttpExchange exchange, JsonNode request) throws IOException {
    TRACEPARENTS.add(exchange.getRequestHeaders().getFirst("traceparent"));
    if (FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      reply(exchange, 503, "application/json", "{\"error\":{\"message\":\"overloaded\"}}");
    } else if (request.path("stream").asBoolean()) {
      reply(exchange, 200, "text/event-stream", event(Map.of("model", ANSWERING_MODEL, "choices", List.of(Map.of(
          "index", 0, "delta", Map.of("role", "assistant", "content", "Nowhere"))))) + event(Map.of("model",
          ANSWERING_MODEL, "choices", List.of(Map.of("index", 0, "delta", Map.of("content", " known."),
          "finish_reason", "stop"))))
          + event(Map.of("model", ANSWERING_MODEL, "choices", List.of(), "usage", Map.of("prompt_tokens", 11,
          "completion_tokens", 7))) + "data: [DONE]\n\n");
    } else {
      reply(exchange, 200, "application/json", JSON.writeValueAsString(Map.of("id", "cmpl-1", "object",
          "chat.completion", "model", ANSWERING_MODEL, "choices", List.of(Map.of("index", 0, "finish_reason",
          "stop", "message", Map.of("role", "assistant", "content", "Nowhere known."))),
          "usage", Map.of("prompt_tokens", 11, "completion_tokens", 7, "total_tokens", 18))));
    }
  }

  private static String event(Map<String, Object> chunk) throws IOException {
    return "data: " + JSON.writeValueAsString(chunk) + "\n\n";
  }

  private static void reply(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
