package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens as the model sends them: a real {@code serve --config FILE} JVM over local OpenAI-compatible mock
 * servers that stream server-sent events. Shown: a client streaming a model id gets the model's first piece
 * while the model is still generating (the mock holds the rest until the client has that piece, so a buffered
 * answer could never pass); tool calls and the upstream's usage come through a stream; a model that sends no
 * first token within its {@code first-token-timeout}, or whose stream breaks before its first token, is passed
 * over by a fallback chain without the client seeing any of it; a stream that breaks after its first piece ends
 * with an error event, and no other model answers in its place.
 */
class StreamingEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  static Path dir;

  private static final MockUpstreams MOCKS = new MockUpstreams();
  /** Counted down by the test once it holds the live model's first piece; the mock sends the rest only then. */
  private static final CountDownLatch FIRST_PIECE_SEEN = new CountDownLatch(1);
  /** Set when the live mock gave up waiting for the test and sent the rest anyway. */
  private static final AtomicBoolean LIVE_GAVE_UP = new AtomicBoolean();
  private static ServeProcess serve;

  @BeforeAll
  static void start() throws Exception {
    String config = """
        switchyard.models {
          live-model { base-url = "%1$s", price { input-per-mtok = 1, output-per-mtok = 2 } }
          quick-model { base-url = "%2$s", price { input-per-mtok = 1, output-per-mtok = 2 } }
          stalling-model { base-url = "%3$s", first-token-timeout = 1s, price { input-per-mtok = 1, output-per-mtok = 1 } }
          dropping-model { base-url = "%4$s", price { input-per-mtok = 1, output-per-mtok = 1 } }
          breaking-model { base-url = "%5$s", price { input-per-mtok = 1, output-per-mtok = 1 } }
        }
        switchyard.pipelines {
          "past-a-stall" { strategy = fallback, models = [stalling-model, quick-model] }
          "past-a-drop" { strategy = fallback, models = [dropping-model, quick-model] }
          "broken-midway" { strategy = fallback, models = [breaking-model, quick-model] }
        }
        """.formatted(mock("live"), mock("quick"), mock("stalling"), mock("dropping"), mock("breaking"));
    serve = ServeProcess.withConfig(dir, config);
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    MOCKS.close();
  }

  private static String mock(String persona) throws IOException {
    return MOCKS.start(persona, (exchange, request) -> answer(persona, exchange, request));
  }

  private static void answer(String persona, HttpExchange exchange, JsonNode request)
      throws IOException, InterruptedException {
    assertTrue(request.path("stream").asBoolean(), persona + " was called without stream: " + request);
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    switch (persona) {
      case "live" -> {
        event(out, content("Hello"));
        if (!FIRST_PIECE_SEEN.await(20, TimeUnit.SECONDS)) {
          LIVE_GAVE_UP.set(true);
        }
        event(out, content(" world"));
        finish(out, "stop");
      }
      case "quick" -> {
        if (request.has("tools")) {
          event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
              + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\"}}]}}]}");
          event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
              + "\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}}]}");
          finish(out, "tool_calls");
        } else {
          event(out, content("fine"));
          finish(out, "stop");
        }
      }
      case "stalling" -> {
        Thread.sleep(3000); // past its first-token-timeout of 1 s
        event(out, content("too late"));
        finish(out, "stop");
      }
      case "dropping" -> {
        // headers, then the connection ends without a single event
      }
      case "breaking" -> event(out, content("The answer is")); // then ends without finish_reason or [DONE]
      default -> throw new IllegalStateException(persona);
    }
  }

  private static String content(String piece) throws IOException {
    return JSON.writeValueAsString(Map.of("choices", List.of(Map.of("index", 0, "delta", Map.of("content", piece)))));
  }

  private static void finish(OutputStream out, String reason) throws IOException {
    event(out, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + reason + "\"}]}");
    event(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}");
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void event(OutputStream out, String json) throws IOException {
    out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The data events of a streamed chat, read one at a time as they arrive. */
  private static Iterator<JsonNode> streamChat(String model, Map<String, Object> extra) throws Exception {
    Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("model", model, "stream", true,
        "messages", List.of(Map.of("role", "user", "content", "Say hello"))));
    body.putAll(extra);
    HttpResponse<java.util.stream.Stream<String>> r = CLIENT.send(
        HttpRequest.newBuilder(URI.create(serve.base() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, r.statusCode());
    Iterator<String> lines = r.body().iterator();
    return new Iterator<>() {
      private JsonNode next;

      @Override
      public boolean hasNext() {
        while (next == null && lines.hasNext()) {
          String line = lines.next();
          if (line.startsWith("data: ")) {
            String data = line.substring(6);
            try {
              next = data.equals("[DONE]") ? JSON.createObjectNode().put("done", true) : JSON.readTree(data);
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          }
        }
        return next != null;
      }

      @Override
      public JsonNode next() {
        hasNext();
        JsonNode n = next;
        next = null;
        return n;
      }
    };
  }

  private static String contentOf(JsonNode event) {
    JsonNode c = event.at("/choices/0/delta/content");
    return c.isTextual() ? c.asText() : "";
  }

  /** Every event of a stream, to its end. */
  private static List<JsonNode> all(Iterator<JsonNode> events) {
    List<JsonNode> list = new ArrayList<>();
    events.forEachRemaining(list::add);
    return list;
  }

  @Test
  void aClientStreamingAModelGetsItsFirstPieceWhileTheModelIsStillGenerating() throws Exception {
    Iterator<JsonNode> events = streamChat("live-model", Map.of());
    StringBuilder text = new StringBuilder();
    while (text.isEmpty() && events.hasNext()) {
      text.append(contentOf(events.next()));
    }
    assertEquals("Hello", text.toString(), "the first piece, alone: the mock holds the rest until we have it");
    FIRST_PIECE_SEEN.countDown();
    List<JsonNode> rest = all(events);
    rest.forEach(e -> text.append(contentOf(e)));

    assertFalse(LIVE_GAVE_UP.get(), "the first piece reached the client only after the model had finished");
    assertEquals("Hello world", text.toString());
    JsonNode last = rest.stream().filter(e -> e.at("/choices/0/finish_reason").isTextual()).findFirst().orElseThrow();
    assertEquals("stop", last.at("/choices/0/finish_reason").asText());
    assertEquals("live-model", last.at("/switchyard/answer_model").asText());
    assertTrue(rest.get(rest.size() - 1).path("done").asBoolean(), "ends with [DONE]");
  }

  @Test
  void toolCallsAndTheUpstreamsUsageComeThroughAStream() throws Exception {
    List<JsonNode> events = all(streamChat("quick-model", Map.of(
        "tools", List.of(Map.of("type", "function", "function", Map.of("name", "get_weather",
            "parameters", Map.of("type", "object")))),
        "stream_options", Map.of("include_usage", true))));

    JsonNode calls = events.stream().map(e -> e.at("/choices/0/delta/tool_calls")).filter(JsonNode::isArray)
        .findFirst().orElseThrow(() -> new AssertionError("no tool_calls in " + events));
    assertEquals("get_weather", calls.at("/0/function/name").asText());
    assertEquals("{\"city\":\"Paris\"}", calls.at("/0/function/arguments").asText());
    assertTrue(events.stream().anyMatch(e -> "tool_calls".equals(e.at("/choices/0/finish_reason").asText())));
    JsonNode usage = events.stream().map(e -> e.path("usage")).filter(JsonNode::isObject).findFirst().orElseThrow();
    assertEquals(12, usage.path("prompt_tokens").asInt());
    assertEquals(3, usage.path("completion_tokens").asInt());
  }

  @Test
  void aModelWithoutAFirstTokenInTimeIsPassedOverByAFallbackChainUnseen() throws Exception {
    List<JsonNode> events = all(streamChat("past-a-stall", Map.of()));
    String text = events.stream().map(StreamingEndToEndTest::contentOf).reduce("", String::concat);

    assertEquals("fine", text, "nothing of the stalled model reached the client");
    assertTrue(MOCKS.calls("stalling") >= 1);
    assertTrue(events.stream().noneMatch(e -> e.has("error")), events.toString());
  }

  @Test
  void aStreamThatBreaksBeforeItsFirstTokenIsRetriedThenPassedOver() throws Exception {
    int before = MOCKS.calls("dropping");
    List<JsonNode> events = all(streamChat("past-a-drop", Map.of()));

    assertEquals("fine", events.stream().map(StreamingEndToEndTest::contentOf).reduce("", String::concat));
    assertEquals(2, MOCKS.calls("dropping") - before, "a server error is retried once (max-retries)");
  }

  @Test
  void aStreamThatBreaksAfterItsFirstPieceEndsWithAnErrorEventAndNoOtherModelAnswers() throws Exception {
    int quickBefore = MOCKS.calls("quick");
    List<JsonNode> events = all(streamChat("broken-midway", Map.of()));

    assertEquals("The answer is", events.stream().map(StreamingEndToEndTest::contentOf).reduce("", String::concat));
    JsonNode error = events.stream().filter(e -> e.has("error")).findFirst()
        .orElseThrow(() -> new AssertionError("no error event in " + events));
    assertEquals("upstream_failed", error.at("/error/code").asText(), error.toString());
    assertTrue(error.at("/error/message").asText().contains("STREAM_BROKEN"), error.toString());
    assertTrue(events.get(events.size() - 1).path("done").asBoolean(), "ends with [DONE]");
    assertEquals(quickBefore, MOCKS.calls("quick"), "the chain's next model was not called");
    assertEquals(1, MOCKS.calls("breaking"), "a broken stream is not retried");
  }
}
