package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In front of a fleet of one's own: a real {@code serve --config FILE} JVM over models that no recording holds,
 * each behind a local OpenAI-compatible mock server (the stand-in for a GPU server or a hosted API: one answers
 * with usage, one answers 500, one 429 with Retry-After, one too slowly). Shown: a request naming a model id goes
 * straight to it, with its tools, its tool calls coming back; a fallback chain gets past the 500, the 429 and the timeout to an answer; a cold bandit
 * pipeline answers from its models; a pipeline fitted at start on the shared recording through
 * {@code recorded-as}, and one served from an artifact {@code switchyard train} made on it, route between the
 * fleet's models; usage comes from the upstream and cost from the
 * configured prices; a chain none of whose models answers is 502; /v1/models lists models and pipelines; an
 * unknown model is 404.
 */
class FleetEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Path SHARED = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"),
      "zellinger-cascade9", "queries.jsonl").toAbsolutePath();

  @TempDir
  static Path dir;

  private static final MockUpstreams MOCKS = new MockUpstreams();
  /** Calls each mock received, by persona, and the {@code model} fields they were sent. */
  private static final Set<String> REMOTE_MODELS = ConcurrentHashMap.newKeySet();
  private static ServeProcess serve;

  @BeforeAll
  static void start() throws Exception {
    String ok = mock("ok");
    String broken = mock("broken");
    String limited = mock("limited");
    String slow = mock("slow");
    boolean recorded = Files.isRegularFile(SHARED);
    String config = """
        switchyard.models {
          acme-small { base-url = "%1$s", remote-model = "acme/small-v1", recorded-as = "llama3.1-8b",
                       price { input-per-mtok = 0.5, output-per-mtok = 1.5 }, description = "small and cheap" }
          acme-large { base-url = "%1$s", remote-model = "acme/large-v2", recorded-as = "gpt-4o",
                       price { input-per-mtok = 5, output-per-mtok = 15 }, tags = [reasoning] }
          broken-model { base-url = "%2$s", price { input-per-mtok = 1, output-per-mtok = 1 } }
          limited-model { base-url = "%3$s", price { input-per-mtok = 1, output-per-mtok = 1 } }
          slow-model { base-url = "%4$s", timeout = 1s, price { input-per-mtok = 1, output-per-mtok = 1 } }
        }
        switchyard.pipelines {
          "acme/fallback" { strategy = fallback, models = [broken-model, limited-model, slow-model, acme-small] }
          "acme/bandit" { strategy = ucb1, models = [acme-small, acme-large], params { exploration = 0.3 } }
          "acme/doomed" { strategy = fallback, models = [broken-model, slow-model] }
        }
        switchyard.pool.retry.max-retries.RATE_LIMITED = 1
        """.formatted(ok, broken, limited, slow);
    if (recorded) {
      config += "switchyard.pipelines.\"acme/routed\" { strategy = scope, models = [acme-small, acme-large],"
          + " train-data = \"" + SHARED + "\", params { cost-weight = 0.1 } }\n";
      // a policy fitted once by `switchyard train` on the recording's ids, served through recorded-as
      Path policy = dir.resolve("routellm-mf.json");
      SwitchyardCliTest.Run train = SwitchyardCliTest.run("train", "--data", SHARED.toString(), "--strategy",
          "routellm-mf", "--models", "llama3.1-8b,gpt-4o", "--param", "cost-weight=0.2", "--out", policy.toString());
      assertEquals(0, train.exit(), train.err());
      config += "switchyard.pipelines.\"acme/trained\" { policy = \"" + policy + "\", models = [acme-small,"
          + " acme-large] }\n";
    }
    serve = ServeProcess.withConfig(dir, config);
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    MOCKS.close();
  }

  /** An OpenAI-compatible mock server of one persona; returns its base URL. */
  private static String mock(String persona) throws IOException {
    return MOCKS.start(persona, (exchange, request) -> answer(persona, exchange, request));
  }

  private static void answer(String persona, HttpExchange exchange, JsonNode request) throws IOException {
    String model = request.path("model").asText();
    REMOTE_MODELS.add(model);
    switch (persona) {
      case "broken" -> reply(exchange, 500, "{\"error\":{\"message\":\"CUDA out of memory\"}}", Map.of());
      case "limited" -> reply(exchange, 429, "{\"error\":{\"message\":\"rate limited\"}}", Map.of("Retry-After", "1"));
      case "slow" -> {
        try {
          Thread.sleep(4000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        reply(exchange, 200, completion(model, "too late"), Map.of());
      }
      default -> reply(exchange, 200, request.has("tools") ? toolCall(model, request) : completion(model,
          "answer from " + model), Map.of());
    }
  }

  private static String completion(String model, String content) throws IOException {
    return JSON.writeValueAsString(Map.of("id", "cmpl-1", "object", "chat.completion", "model", model,
        "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
            "message", Map.of("role", "assistant", "content", content))),
        "usage", Map.of("prompt_tokens", 11, "completion_tokens", 7, "total_tokens", 18)));
  }

  /** A call of the first tool offered, with the arguments the model "chose". */
  private static String toolCall(String model, JsonNode request) throws IOException {
    String tool = request.at("/tools/0/function/name").asText();
    return JSON.writeValueAsString(Map.of("id", "cmpl-2", "object", "chat.completion", "model", model,
        "choices", List.of(Map.of("index", 0, "finish_reason", "tool_calls",
            "message", Map.of("role", "assistant", "tool_calls", List.of(Map.of("id", "call_1", "type", "function",
                "function", Map.of("name", tool, "arguments", "{\"city\":\"Paris\"}")))))),
        "usage", Map.of("prompt_tokens", 20, "completion_tokens", 9, "total_tokens", 29)));
  }

  private static void reply(HttpExchange exchange, int status, String body, Map<String, String> headers)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static HttpResponse<String> chat(String model, String question) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", model,
        "messages", List.of(Map.of("role", "user", "content", question))));
    return CLIENT.send(HttpRequest.newBuilder(URI.create(serve.base() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aModelIdGoesStraightToThatModelWithTheUpstreamsUsageAndTheConfiguredPrice() throws Exception {
    HttpResponse<String> r = chat("acme-small", "What is 2 + 2?");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals("answer from acme/small-v1", body.at("/choices/0/message/content").asText(), r.body());
    assertEquals(11, body.at("/usage/prompt_tokens").asInt());
    assertEquals(7, body.at("/usage/completion_tokens").asInt());
    assertEquals("acme-small", body.at("/switchyard/answer_model").asText());
    assertEquals((11 * 0.5 + 7 * 1.5) / 1e6, body.at("/switchyard/cost_usd").asDouble(), 1e-12);
    assertEquals(1, body.at("/switchyard/rounds").asInt());
  }

  @Test
  void toolsReachTheModelAndItsToolCallsComeBackUnchanged() throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", "acme-large", "temperature", 0.2,
        "messages", List.of(Map.of("role", "user", "content", "Weather in Paris?")),
        "tools", List.of(Map.of("type", "function", "function", Map.of("name", "get_weather",
            "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string"))))))));
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(serve.base() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode answer = JSON.readTree(r.body());
    assertEquals("tool_calls", answer.at("/choices/0/finish_reason").asText(), r.body());
    assertEquals("get_weather", answer.at("/choices/0/message/tool_calls/0/function/name").asText(), r.body());
    assertEquals("{\"city\":\"Paris\"}", answer.at("/choices/0/message/tool_calls/0/function/arguments").asText());
    assertEquals(20, answer.at("/usage/prompt_tokens").asInt());
  }

  @Test
  void aFallbackChainGetsPastA500A429AndATimeout() throws Exception {
    int broken = MOCKS.calls("broken");
    int limited = MOCKS.calls("limited");
    int slow = MOCKS.calls("slow");
    HttpResponse<String> r = chat("acme/fallback", "Name a prime number.");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals("acme-small", body.at("/switchyard/answer_model").asText(), r.body());
    assertEquals("answer from acme/small-v1", body.at("/choices/0/message/content").asText());
    assertTrue(MOCKS.calls("broken") > broken, "the chain tried the model answering 500 first");
    assertTrue(MOCKS.calls("limited") > limited, "then the model answering 429");
    assertTrue(MOCKS.calls("slow") > slow, "then the slow one");
    assertEquals(4, body.at("/switchyard/rounds").asInt(), r.body());
  }

  @Test
  void whenNoModelAnswersAndSomeFailedTheClientGets502NamingEachFailure() throws Exception {
    HttpResponse<String> r = chat("acme/doomed", "Anyone there?");
    assertEquals(502, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertEquals("upstream_failed", error.path("code").asText(), r.body());
    assertTrue(error.path("message").asText().contains("broken-model")
        && error.path("message").asText().contains("slow-model"), r.body());
  }

  @Test
  void aColdBanditPipelineAnswersFromItsOwnModels() throws Exception {
    Set<String> answeredBy = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = chat("acme/bandit", "Question " + i + ": what is the capital of France?");
      assertEquals(200, r.statusCode(), r.body());
      answeredBy.add(JSON.readTree(r.body()).at("/switchyard/answer_model").asText());
    }
    assertTrue(Set.of("acme-small", "acme-large").containsAll(answeredBy), answeredBy.toString());
    assertTrue(REMOTE_MODELS.containsAll(answeredBy.stream().map(m -> m.equals("acme-small") ? "acme/small-v1"
        : "acme/large-v2").toList()), REMOTE_MODELS.toString());
  }

  @Test
  void aPipelineFittedOnTheRecordingThroughRecordedAsRoutesBetweenTheFleetsModels() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(SHARED),
        "recorded data not found at " + SHARED + "; skipping the fitted pipeline");
    Set<String> answeredBy = new HashSet<>();
    String[] questions = {"What is 17 * 23? Answer with the number only.",
        "Answer the multiple-choice question below by outputting A, B, C, or D. Question: Find all c in Z_3"
            + " such that Z_3[x]/(x^2 + c) is a field.", "Write a haiku about the sea."};
    for (String q : questions) {
      HttpResponse<String> r = chat("acme/routed", q);
      assertEquals(200, r.statusCode(), r.body());
      answeredBy.add(JSON.readTree(r.body()).at("/switchyard/answer_model").asText());
    }
    assertTrue(Set.of("acme-small", "acme-large").containsAll(answeredBy), answeredBy.toString());
  }

  @Test
  void aPipelineServedFromAnArtifactThatTrainMadeRoutesTheFleetThroughRecordedAs() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(SHARED),
        "recorded data not found at " + SHARED + "; skipping the pipeline served from an artifact");
    Set<String> answeredBy = new HashSet<>();
    for (String q : new String[] {"What is 17 * 23? Answer with the number only.", "Write a haiku about the sea.",
        "Prove that the square root of 2 is irrational."}) {
      HttpResponse<String> r = chat("acme/trained", q);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode body = JSON.readTree(r.body());
      answeredBy.add(body.at("/switchyard/answer_model").asText());
      assertTrue(body.at("/choices/0/message/content").asText().startsWith("answer from acme/"), r.body());
    }
    assertTrue(Set.of("acme-small", "acme-large").containsAll(answeredBy), answeredBy.toString());
    assertTrue(serve.output().contains("acme/trained"), "listed at start:\n" + serve.tail(20));
  }

  @Test
  void modelsListsTheFleetAndThePipelinesAndAnUnknownModelIs404() throws Exception {
    HttpResponse<String> models = CLIENT.send(HttpRequest.newBuilder(URI.create(serve.base() + "/v1/models"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, models.statusCode());
    Set<String> ids = new HashSet<>();
    JSON.readTree(models.body()).path("data").forEach(m -> ids.add(m.path("id").asText()));
    assertTrue(ids.containsAll(Set.of("acme-small", "acme-large", "broken-model", "limited-model", "slow-model",
        "acme/fallback", "acme/bandit")), ids.toString());
    HttpResponse<String> unknown = chat("gpt-4o", "hi");
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("model_not_found"), unknown.body());
  }
}
