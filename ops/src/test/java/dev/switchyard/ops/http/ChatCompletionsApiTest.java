package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API against a real Pekko HTTP server on 127.0.0.1, with a scripted engine behind it. */
class ChatCompletionsApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NOW = 1_790_000_000L;

  private static ActorSystem<Void> system;
  private static ServerBinding binding;
  private static FakeEngine engine;
  private static final AtomicBoolean READY = new AtomicBoolean(true);
  private static HttpClient client;
  private static JsonNode notUpBeforeJoin;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    // A one-node cluster, as every serving node is: /ready answers for this node's membership.
    var config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical { hostname = 127.0.0.1, port = 0 }
        switchyard.http { port = 0, answer-timeout = 1s, body-read-timeout = 1s, max-body-bytes = 65536,
                          stream-chunk-chars = 10, stream-keep-alive = 300ms }
        """).withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), "api-test", config);
    HttpSettings settings = HttpSettings.fromConfig(config);
    engine = new FakeEngine();
    AtomicLong counter = new AtomicLong();
    Clock clock = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    ApiRoutes routes = new ApiRoutes(engine, settings, clock, () -> "t" + counter.incrementAndGet(), READY::get);
    binding = ApiServer.bind(system, routes, settings).toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> beforeJoin = get("/ready");
    assertEquals(503, beforeJoin.statusCode(), "a node that has not joined its cluster is not ready");
    notUpBeforeJoin = JSON.readTree(beforeJoin.body()).get("node");
    Cluster cluster = Cluster.get(system);
    cluster.join(cluster.selfAddress());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the test node did not come Up: " + cluster.selfMember());
      }
      Thread.sleep(20);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void reset() {
    engine.received.clear();
    engine.feedback.clear();
    engine.durabilities.clear();
    READY.set(true);
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return post(path, body.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> post(String path, byte[] body) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> get(String path) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build();
    return client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String chat(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
        + "{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";
  }

  /** Asserts OpenAI's error shape with exactly the four keys, and returns the error object. */
  private static JsonNode assertError(HttpResponse<String> r, int status, String param, String code) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    JsonNode root = JSON.readTree(r.body());
    assertEquals(Set.of("error"), fieldNames(root));
    JsonNode e = root.get("error");
    assertEquals(Set.of("message", "type", "param", "code"), fieldNames(e));
    assertTrue(e.get("message").isTextual() && !e.get("message").asText().isBlank());
    assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText());
    assertEquals(code, e.get("code").asText());
    assertFalse(r.body().contains("Exception"), "no exception names or stack traces: " + r.body());
    return e;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  // ------------------------------------------------------------------ answers

  @Test
  void nonStreamingAnswerHasOpenAiShapeSwitchyardObjectAndHeaders() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("switchyard/cascade", false));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals("big-70b", r.headers().firstValue("x-switchyard-model").orElse(""));
    assertEquals("2", r.headers().firstValue("x-switchyard-rounds").orElse(""));
    assertEquals("0.00091", r.headers().firstValue("x-switchyard-cost-usd").orElse(""));
    JsonNode body = JSON.readTree(r.body());
    String id = body.get("id").asText();
    assertTrue(id.startsWith("chatcmpl-t"), id);
    assertEquals("chat.completion", body.get("object").asText());
    assertEquals(NOW, body.get("created").asLong());
    assertEquals("switchyard/cascade", body.get("model").asText());
    JsonNode choice = body.get("choices").get(0);
    assertEquals(0, choice.get("index").asInt());
    assertEquals("assistant", choice.get("message").get("role").asText());
    assertEquals(FakeEngine.ANSWER, choice.get("message").get("content").asText());
    assertEquals("stop", choice.get("finish_reason").asText());
    assertEquals(12, body.get("usage").get("prompt_tokens").asInt());
    assertEquals(3, body.get("usage").get("completion_tokens").asInt());
    assertEquals(15, body.get("usage").get("total_tokens").asInt());
    JsonNode sy = body.get("switchyard");
    assertEquals("big-70b", sy.get("answer_model").asText());
    assertEquals(List.of("small-1b", "big-70b"), List.of(sy.get("models_called").get(0).asText(),
        sy.get("models_called").get(1).asText()));
    assertEquals(2, sy.get("rounds").asInt());
    assertEquals(0.00091, sy.get("cost_usd").asDouble(), 1e-12);
    assertEquals(290.0, sy.get("latency_ms").asDouble(), 1e-9);
    assertFalse(sy.get("abstained").asBoolean());
    assertEquals("replayed nearest recorded prompt mmlu-test-00042", sy.get("note").asText());

    assertEquals(1, engine.received.size());
    var query = engine.received.get(0);
    assertEquals(id, query.id());
    assertEquals(2, query.messages().size());
    assertEquals("What is the capital of France?", query.text());
  }

  @Test
  void switchyardExtensionSetsBudgetTaskAndDurability() throws Exception {
    String body = "{\"model\":\"switchyard/cascade\",\"messages\":[{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"text\",\"text\":\"part one\"},{\"type\":\"text\",\"text\":\"part two\"}]}],"
        + "\"temperature\":0.2,\"max_tokens\":64,\"user\":\"alice\",\"n\":1,"
        + "\"switchyard\":{\"max_cost_usd\":0.01,\"max_rounds\":3,\"deadline_ms\":5000,\"task\":\"mmlu\","
        + "\"durability\":\"durable\"}}";
    HttpResponse<String> r = post("/v1/chat/completions", body);

    assertEquals(200, r.statusCode(), r.body());
    var query = engine.received.get(0);
    assertEquals("part one\npart two", query.text());
    assertEquals(0.01, query.budget().maxCostUsd(), 0);
    assertEquals(3, query.budget().maxRounds());
    assertEquals(5000, query.budget().deadlineMillis());
    assertEquals("mmlu", query.task());
    assertEquals(64, query.maxOutputTokens(), "max_tokens reaches the engine with the query");
    assertEquals(dev.switchyard.protocol.Durability.DURABLE, engine.durabilities.get(0));
  }

  @Test
  void abstentionIsARefusalWithNullContent() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("test/abstain", false));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("none", r.headers().firstValue("x-switchyard-model").orElse(""));
    JsonNode message = JSON.readTree(r.body()).get("choices").get(0).get("message");
    assertTrue(message.get("content").isNull());
    assertEquals("no model was confident enough", message.get("refusal").asText());
    JsonNode sy = JSON.readTree(r.body()).get("switchyard");
    assertTrue(sy.get("abstained").asBoolean());
    assertTrue(sy.get("answer_model").isNull());
  }

  // ------------------------------------------------------------------ streaming

  /** The data events of a stream; keep-alive comments (": ...") may come at any time and SSE clients skip them. */
  private static List<String> frames(String body) {
    assertTrue(body.endsWith("\n\n"), "every SSE event ends with a blank line");
    List<String> frames = new ArrayList<>(Arrays.asList(body.substring(0, body.length() - 2).split("\n\n", -1)));
    frames.removeIf(f -> f.startsWith(":"));
    for (String f : frames) {
      assertTrue(f.startsWith("data: "), "OpenAI framing 'data: ' with a space: " + f);
      assertFalse(f.contains("\n"), "one line per event: " + f);
    }
    return frames;
  }

  @Test
  void streamingSendsOpenAiChunksWithProgressThenAnswerThenDone() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("switchyard/cascade", true));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
    List<String> frames = frames(r.body());
    assertEquals("data: [DONE]", frames.get(frames.size() - 1));
    List<JsonNode> chunks = new ArrayList<>();
    for (String f : frames.subList(0, frames.size() - 1)) {
      chunks.add(JSON.readTree(f.substring("data: ".length())));
    }
    String id = chunks.get(0).get("id").asText();
    assertEquals(engine.received.get(0).id(), id);
    for (JsonNode c : chunks) {
      assertEquals(id, c.get("id").asText());
      assertEquals("chat.completion.chunk", c.get("object").asText());
      assertEquals(NOW, c.get("created").asLong());
      assertEquals("switchyard/cascade", c.get("model").asText());
    }
    JsonNode first = chunks.get(0).get("choices").get(0);
    assertEquals("assistant", first.get("delta").get("role").asText());
    assertEquals("", first.get("delta").get("content").asText());
    assertTrue(first.get("finish_reason").isNull());

    // one progress event per recorded step (5 in the fake episode), in order
    List<String> stages = new ArrayList<>();
    StringBuilder content = new StringBuilder();
    int contentChunks = 0;
    for (JsonNode c : chunks.subList(1, chunks.size() - 1)) {
      JsonNode delta = c.get("choices").get(0).get("delta");
      if (c.has("switchyard")) {
        assertEquals(0, delta.size());
        stages.add(c.get("switchyard").get("step").get("stage").asText());
      } else {
        content.append(delta.get("content").asText());
        contentChunks++;
      }
      assertTrue(c.get("choices").get(0).get("finish_reason").isNull());
    }
    assertEquals(List.of("pre_route", "generate", "verify", "generate", "answer"), stages);
    assertEquals(FakeEngine.ANSWER, content.toString());
    assertEquals((int) Math.ceil(FakeEngine.ANSWER.length() / 10.0), contentChunks);

    JsonNode last = chunks.get(chunks.size() - 1);
    assertEquals("stop", last.get("choices").get(0).get("finish_reason").asText());
    assertEquals(0, last.get("choices").get(0).get("delta").size());
    assertEquals("big-70b", last.get("switchyard").get("answer_model").asText());
    assertEquals(2, last.get("switchyard").get("rounds").asInt());
  }

  @Test
  void streamingWithoutProgressAndWithUsageMatchesOpenAiSequence() throws Exception {
    String body = "{\"model\":\"switchyard/cascade\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"switchyard\":{\"progress\":false},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<String> r = post("/v1/chat/completions", body);

    List<String> frames = frames(r.body());
    int contentChunks = (int) Math.ceil(FakeEngine.ANSWER.length() / 10.0);
    // role chunk + content chunks + finish chunk + usage chunk + [DONE]
    assertEquals(1 + contentChunks + 1 + 1 + 1, frames.size());
    JsonNode usage = JSON.readTree(frames.get(frames.size() - 2).substring(6));
    assertEquals(0, usage.get("choices").size());
    assertEquals(15, usage.get("usage").get("total_tokens").asInt());
    assertEquals("data: [DONE]", frames.get(frames.size() - 1));
  }

  @Test
  void streamingRefusedAtStartIsAnHttpStatusNotAStream() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("test/overloaded", true));

    assertError(r, 429, null, "overloaded");
    assertEquals("3", r.headers().firstValue("Retry-After").orElse(""));
  }

  @Test
  void streamingFailureAfterStartEndsWithAnErrorEventAndNoDone() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("test/mid-stream-failure", true));

    assertEquals(200, r.statusCode());
    List<String> frames = frames(r.body());
    String last = frames.get(frames.size() - 1);
    assertFalse(r.body().contains("[DONE]"));
    JsonNode error = JSON.readTree(last.substring(6)).get("error");
    assertEquals("unavailable", error.get("code").asText());
    assertEquals("pool lost", error.get("message").asText());
  }

  @Test
  void quietStreamsSendKeepAliveCommentsThatSseClientsIgnore() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("test/slow-stream", true));

    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("\n\n: keep-alive\n\n"), r.body());
    String withoutComments = r.body().replace(": keep-alive\n\n", "");
    List<String> frames = frames(withoutComments);
    assertEquals("data: [DONE]", frames.get(frames.size() - 1));
  }

  private static List<String> contents(List<String> frames) throws Exception {
    List<String> pieces = new ArrayList<>();
    for (String f : frames) {
      JsonNode content = f.equals("data: [DONE]") ? null : JSON.readTree(f.substring(6)).at("/choices/0/delta/content");
      if (content != null && content.isTextual() && !content.asText().isEmpty()) {
        pieces.add(content.asText());
      }
    }
    return pieces;
  }

  @Test
  void aModelsPiecesGoOutAsTheyArriveAndTheResultAddsOnlyWhatTheStreamMissed() throws Exception {
    List<String> frames = frames(post("/v1/chat/completions", chat("test/live-tokens", true)).body());

    // stream-chunk-chars = 10 cuts only the part that did not stream
    assertEquals(List.of("Par", "is is", " the capit", "al"), contents(frames));
    assertEquals("data: [DONE]", frames.get(frames.size() - 1));
  }

  @Test
  void aStreamThatBrokeAfterItsFirstPieceEndsWithAnUpstreamFailedErrorEventThenDone() throws Exception {
    List<String> frames = frames(post("/v1/chat/completions", chat("test/broken-tokens", true)).body());

    assertEquals(List.of("The"), contents(frames));
    JsonNode error = JSON.readTree(frames.get(frames.size() - 2).substring(6)).get("error");
    assertEquals("upstream_failed", error.get("code").asText());
    assertTrue(error.get("message").asText().contains("STREAM_BROKEN"), error.toString());
    assertEquals("data: [DONE]", frames.get(frames.size() - 1));
  }

  @Test
  void streamingAbstentionSendsRefusalDelta() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("test/abstain", true));

    List<String> frames = frames(r.body());
    JsonNode refusal = JSON.readTree(frames.get(1).substring(6)).get("choices").get(0).get("delta");
    assertEquals("no model was confident enough", refusal.get("refusal").asText());
    assertEquals("data: [DONE]", frames.get(frames.size() - 1));
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void malformedJsonIs400WithoutEchoingInput() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", "{\"model\": \"switchyard/cascade\", <script>alert(1)");

    JsonNode e = assertError(r, 400, null, "invalid_json");
    assertFalse(r.body().contains("<script>"));
    assertTrue(e.get("message").asText().contains("line 1"));
    assertTrue(engine.received.isEmpty());
  }

  @Test
  void nonObjectTrailingDataAndDuplicateKeysAreMalformed() throws Exception {
    assertError(post("/v1/chat/completions", "[1,2]"), 400, null, "invalid_json");
    assertError(post("/v1/chat/completions", chat("switchyard/cascade", false) + " {}"), 400, null, "invalid_json");
    assertError(post("/v1/chat/completions", "{\"model\":\"a\",\"model\":\"b\",\"messages\":[]}"), 400, null,
        "invalid_json");
    assertError(post("/v1/chat/completions", ""), 400, null, "invalid_json");
  }

  @Test
  void excessiveNestingIsRefusedByTheJsonLimits() throws Exception {
    String deep = "{\"model\":\"switchyard/cascade\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
    assertError(post("/v1/chat/completions", deep), 400, null, "json_limit_exceeded");
  }

  @Test
  void missingOrEmptyMessagesAre400() throws Exception {
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\"}"), 400, "messages",
        "missing_required_parameter");
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"messages\":[]}"), 400, "messages",
        "invalid_value");
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"messages\":"
        + "[{\"role\":\"system\",\"content\":\"only a system prompt\"}]}"), 400, "messages", "invalid_value");
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"messages\":"
        + "[{\"role\":\"wizard\",\"content\":\"x\"}]}"), 400, "messages[0].role", "invalid_value");
    assertError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400,
        "model", "missing_required_parameter");
    assertTrue(engine.received.isEmpty());
  }

  @Test
  void maxTokensOutOfRangeIs400() throws Exception {
    for (String bad : List.of("0", "-5", "1000000000", "3.5", "\"12\"")) {
      String body = "{\"model\":\"switchyard/cascade\",\"max_tokens\":" + bad
          + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
      assertError(post("/v1/chat/completions", body), 400, "max_tokens", "invalid_value");
    }
    assertTrue(engine.received.isEmpty());
  }

  /**
   * Every numeric field is bounded (switchyard.http.max-*-limit, max-deadline): beyond the bound, fractional
   * where an integer is meant, negative, a string, or too large for any integer type is a 400 naming the field,
   * never a 500 from an overflow downstream (issue 8: deadline_ms 2.2e10 answered 500).
   */
  @Test
  void everyNumericFieldBeyondItsBoundIs400NamingTheField() throws Exception {
    String user = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    java.util.Map<String, List<String>> bad = new java.util.LinkedHashMap<>();
    // the defaults: max-deadline 24h = 86400000 ms, max-rounds-limit 1000, max-cost-usd-limit 1000
    bad.put("deadline_ms", List.of("2.2e10", "22000000000", "86400001", "1.5", "-1", "1e400",
        "99999999999999999999999", "\"5000\""));
    bad.put("max_rounds", List.of("1001", "2.5", "-1", "1e3", "4294967297", "true"));
    bad.put("max_cost_usd", List.of("1000.01", "-0.5", "1e400", "-1e400", "\"0.1\""));
    for (var field : bad.entrySet()) {
      for (String value : field.getValue()) {
        String body = "{\"model\":\"switchyard/cascade\",\"switchyard\":{\"" + field.getKey() + "\":" + value + "},"
            + user + "}";
        JsonNode e = assertError(post("/v1/chat/completions", body), 400, "switchyard." + field.getKey(),
            "invalid_value");
        assertTrue(e.get("message").asText().contains("switchyard." + field.getKey()), e.toString());
      }
    }
    for (String field : List.of("max_tokens", "max_completion_tokens")) {
      for (String value : List.of("32769", "0", "1.0", "-3", "1e9", "9223372036854775808")) {
        assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"" + field + "\":" + value
            + "," + user + "}"), 400, field, "invalid_value");
      }
    }
    for (String value : List.of("1.0", "18446744073709551617", "0", "2")) {
      assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"n\":" + value + "," + user + "}"),
          400, "n", "invalid_value");
    }
    assertTrue(engine.received.isEmpty(), "nothing out of bounds reached the engine");
  }

  @Test
  void numericFieldsAtTheirBoundsAreAccepted() throws Exception {
    String body = "{\"model\":\"switchyard/cascade\",\"max_completion_tokens\":32768,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
        + "\"switchyard\":{\"max_cost_usd\":1000,\"max_rounds\":1000,\"deadline_ms\":86400000}}";
    HttpResponse<String> r = post("/v1/chat/completions", body);

    assertEquals(200, r.statusCode(), r.body());
    var query = engine.received.get(0);
    assertEquals(86_400_000L, query.budget().deadlineMillis());
    assertEquals(1000, query.budget().maxRounds());
    assertEquals(1000, query.budget().maxCostUsd(), 0);
    assertEquals(32768, query.maxOutputTokens());
  }

  @Test
  void fieldsWeCannotHonourAndWrongTypesAre400() throws Exception {
    String user = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"n\":2," + user + "}"), 400, "n",
        "invalid_value");
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"stream\":\"yes\"," + user + "}"),
        400, "stream", "invalid_value");
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"messages\":[{\"role\":\"user\","
        + "\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}"), 400, "messages[0].content[0]",
        "invalid_value");
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"switchyard\":"
        + "{\"durability\":\"forever\"}," + user + "}"), 400, "switchyard.durability", "invalid_value");
    assertError(post("/v1/chat/completions", "{\"model\":\"switchyard/cascade\",\"switchyard\":"
        + "{\"max_cost_usd\":-1}," + user + "}"), 400, "switchyard.max_cost_usd", "invalid_value");
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    String padding = "x".repeat(70_000);
    String body = "{\"model\":\"switchyard/cascade\",\"messages\":[{\"role\":\"user\",\"content\":\"" + padding
        + "\"}]}";
    HttpResponse<String> r = post("/v1/chat/completions", body);

    JsonNode e = assertError(r, 413, null, "request_too_large");
    assertTrue(e.get("message").asText().contains("65536"));
    assertTrue(engine.received.isEmpty());
  }

  @Test
  void oversizedChunkedBodyWithoutContentLengthIs413() throws Exception {
    String body = "{\"model\":\"switchyard/cascade\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + "y".repeat(70_000) + "\"}]}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        // an InputStream publisher of unknown length makes the client send Transfer-Encoding: chunked
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes)))
        .build();
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

    assertError(r, 413, null, "request_too_large");
    assertTrue(engine.received.isEmpty());
  }

  @Test
  void bodyThatStallsPastTheReadTimeoutIs408() throws Exception {
    // A raw socket, so the stall is certain: headers and half the declared body, then silence.
    int port = binding.localAddress().getPort();
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"model\":\"switchyard/cascade\",";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.UTF_8));
      String status = in.readLine();
      assertEquals("HTTP/1.1 408 Request Timeout", status);
      String line;
      int length = -1;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).trim());
        }
      }
      assertTrue(length > 0);
      char[] body = new char[length]; // the error JSON is ASCII: chars = bytes
      for (int read = 0; read < length; ) {
        read += in.read(body, read, length - read);
      }
      JsonNode error = JSON.readTree(new String(body)).get("error");
      assertEquals("request_timeout", error.get("code").asText());
    }
    assertTrue(engine.received.isEmpty());
  }

  @Test
  void unknownPipelineIs404AndNeverReachesTheEngine() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("gpt-\\u0000<b>evil</b>", false));

    JsonNode e = assertError(r, 404, "model", "model_not_found");
    assertTrue(e.get("message").asText().contains("switchyard/cascade"), "lists the pipelines");
    assertFalse(e.get("message").asText().contains("\u0000"), "control characters are not echoed");
    assertTrue(engine.received.isEmpty());
  }

  // ------------------------------------------------------------------ engine refusals

  @Test
  void overloadedEngineIs429WithRetryAfter() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("test/overloaded", false));

    JsonNode e = assertError(r, 429, null, "overloaded");
    assertEquals("rate_limit_error", e.get("type").asText());
    assertEquals("3", r.headers().firstValue("Retry-After").orElse(""), "2.5 s rounds up to 3");
  }

  @Test
  void unavailableEngineIs503WithRetryAfter() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("test/unavailable", false));

    assertError(r, 503, null, "unavailable");
    assertEquals("7", r.headers().firstValue("Retry-After").orElse(""));
  }

  @Test
  void engineTimeoutAndAnswerTimeoutAre504() throws Exception {
    assertError(post("/v1/chat/completions", chat("test/engine-timeout", false)), 504, null, "timeout");
    assertError(post("/v1/chat/completions", chat("test/hang", false)), 504, null, "timeout");
    assertError(post("/v1/chat/completions", chat("test/hang", true)), 504, null, "timeout");
  }

  @Test
  void unexpectedFailureIs500WithAReferenceAndNoDetails() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chat("test/crash", false));

    JsonNode e = assertError(r, 500, null, "internal_error");
    assertTrue(e.get("message").asText().startsWith("internal error (reference "));
    assertFalse(r.body().contains("sk-secret"));
    assertFalse(r.body().contains("boom"));
  }

  // ------------------------------------------------------------------ feedback

  @Test
  void feedbackReachesTheEngine() throws Exception {
    HttpResponse<String> r = post("/v1/feedback", "{\"query_id\":\"chatcmpl-abc\",\"reward\":0.75,\"source\":\"grader\"}");

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("accepted", JSON.readTree(r.body()).get("status").asText());
    assertEquals(List.of(new dev.switchyard.protocol.Feedback("chatcmpl-abc", 0.75, "grader")), engine.feedback);
  }

  @Test
  void badFeedbackIs400AndUnknownQueryIsTheEnginesInvalid() throws Exception {
    assertError(post("/v1/feedback", "{\"reward\":1}"), 400, "query_id", "missing_required_parameter");
    assertError(post("/v1/feedback", "{\"query_id\":\"q\"}"), 400, "reward", "missing_required_parameter");
    assertError(post("/v1/feedback", "{\"query_id\":\"q\",\"reward\":1.5}"), 400, "reward", "invalid_value");
    assertError(post("/v1/feedback", "{\"query_id\":\"q\",\"reward\":\"good\"}"), 400, "reward",
        "invalid_value");
    assertError(post("/v1/feedback", "{\"query_id\":7,\"reward\":1}"), 400, "query_id", "invalid_value");
    assertError(post("/v1/feedback", "not json"), 400, null, "invalid_json");
    assertError(post("/v1/feedback", "{\"query_id\":\"unknown-1\",\"reward\":1}"), 400, null, "invalid_value");
    assertTrue(engine.feedback.isEmpty());
  }

  // ------------------------------------------------------------------ other routes

  @Test
  void modelsListsPipelinesWithTheirDimensions() throws Exception {
    HttpResponse<String> r = get("/v1/models");

    assertEquals(200, r.statusCode());
    JsonNode body = JSON.readTree(r.body());
    assertEquals("list", body.get("object").asText());
    assertEquals(engine.pipelines().size(), body.get("data").size());
    JsonNode cascade = body.get("data").get(0);
    assertEquals("switchyard/cascade", cascade.get("id").asText());
    assertEquals("model", cascade.get("object").asText());
    assertEquals("switchyard", cascade.get("owned_by").asText());
    assertEquals(NOW, cascade.get("created").asLong());
    JsonNode dims = cascade.get("switchyard").get("dimensions");
    assertEquals("post_generation", dims.get("when").asText());
    assertEquals("supervised", dims.get("how").asText());
    assertEquals("response", dims.get("signals").get(0).asText());
    assertEquals("model_metadata", dims.get("signals").get(1).asText());
    assertEquals("confidence-cascade", cascade.get("switchyard").get("strategy").asText());
    assertFalse(cascade.get("switchyard").get("learned").asBoolean());
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertTrue(!"Up".equals(notUpBeforeJoin.get("status").asText()), notUpBeforeJoin.toString());
    assertEquals(200, get("/health").statusCode());
    HttpResponse<String> ready = get("/ready");
    assertEquals(200, ready.statusCode());
    JsonNode node = JSON.readTree(ready.body()).get("node");
    assertEquals("Up", node.get("status").asText());
    assertEquals(1, node.get("members").asInt());
    assertEquals(1, node.get("members_up").asInt());
    assertEquals(0, node.get("unreachable").asInt());
    assertTrue(node.get("address").asText().startsWith("pekko://api-test@127.0.0.1:"), node.toString());
    READY.set(false);
    HttpResponse<String> notReady = get("/ready");
    assertEquals(503, notReady.statusCode());
    assertEquals("not_ready", JSON.readTree(notReady.body()).get("status").asText());
    assertEquals(200, get("/health").statusCode(), "liveness does not depend on readiness");
  }

  @Test
  void metricsAreA404NamingTheSettingWhenTheNodeKeepsNone() throws Exception {
    JsonNode e = assertError(get("/metrics"), 404, null, "metrics_disabled");
    assertTrue(e.get("message").asText().contains("switchyard.metrics.enabled"), e.toString());
  }

  @Test
  void unknownRouteIs404AndWrongMethodIs405() throws Exception {
    assertError(get("/v1/completions"), 404, null, "not_found");
    HttpResponse<String> wrongMethod = get("/v1/chat/completions");
    assertError(wrongMethod, 405, null, "method_not_allowed");
    assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(""));
    assertError(post("/v1/models", "{}"), 405, null, "method_not_allowed");
  }
}
