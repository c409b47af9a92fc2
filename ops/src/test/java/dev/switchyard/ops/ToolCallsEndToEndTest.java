package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.HttpMetrics;
import dev.switchyard.ops.http.HttpSettings;
import dev.switchyard.ops.http.OpenAiBackendSettings;
import dev.switchyard.ops.http.OpenAiCompatibleBackend;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.Planner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tool-calling conversation through the real HTTP API of a one-node engine whose two models are
 * {@link OpenAiCompatibleBackend}s pointed at a local mock OpenAI server. The pipeline is a two-model cascade
 * (small, then big): both calls receive the client's tools and sampling fields, and the big model's tool calls
 * come back unchanged, answered, streamed, and from a durable query.
 */
class ToolCallsEndToEndTest extends AllDirectives {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PIPELINE = "test/cascade";
  private static final String TOOL_CALLS = "[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":"
      + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]";
  // small: 1 USD / MTok in, 2 out; big: 10 in, 30 out
  private static final ModelCard SMALL = new ModelCard("small", 1, 2, 8192, 50, 0, Map.of());
  private static final ModelCard BIG = new ModelCard("big", 10, 30, 128000, 400, 0, Map.of());
  /** Request bodies the mock received, per remote model. */
  private static final Map<String, List<JsonNode>> RECEIVED = new ConcurrentHashMap<>();

  private static ActorSystem<Void> system;
  private static String base;
  private static Path dir;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("tool-calls");
    Config config = SwitchyardConfig.load(Map.of("switchyard.http.port", 0,
        "switchyard.state-dir", dir.resolve("state").toString()));
    system = ActorSystem.create(Behaviors.empty(), "switchyard", config);
    ServerBinding mock = Http.get(system).newServerAt("127.0.0.1", 0).bind(new ToolCallsEndToEndTest().mockOpenAi())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    URI mockUrl = URI.create("http://127.0.0.1:" + mock.localAddress().getPort() + "/v1");
    Map<String, List<InferenceBackend>> backends = Map.of(
        "small", List.of(backend(mockUrl, SMALL)), "big", List.of(backend(mockUrl, BIG)));
    StrategyInfo info = new StrategyInfo("test-cascade", "test", Dimensions.of(Dimensions.When.POST_GENERATION,
        Dimensions.How.HEURISTIC, Dimensions.Signal.RESPONSE), "");
    Engine engine = EngineNode.start(system, new EngineSetup(List.of(SMALL, BIG), backends,
        List.of(PipelineDefinition.fixed(PIPELINE, "small, then big", info, smallThenBig()))));
    ServerBinding api = ApiServer.serve(system, engine, HttpSettings.fromConfig(config), HttpMetrics.disabled())
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + api.localAddress().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static OpenAiCompatibleBackend backend(URI url, ModelCard card) {
    return new OpenAiCompatibleBackend(system, new OpenAiBackendSettings(card.id(), url, card.id(), null,
        Duration.ofSeconds(30), 4, false), card);
  }

  /** Always calls small, then big, and answers with big's answer. */
  private static Planner smallThenBig() {
    return state -> {
      if (!state.tried("small")) {
        return PlanAction.Route.to("small", List.of(Decision.of(Stage.PRE_ROUTE, "small", "first", Double.NaN)));
      }
      if (!state.tried("big")) {
        return PlanAction.Route.to("big", List.of(Decision.of(Stage.ESCALATE, "big", "escalate", Double.NaN)));
      }
      var last = state.lastResponse().orElseThrow();
      return new PlanAction.Answer(last.text(), last.modelId(),
          List.of(Decision.of(Stage.VERIFY, last.modelId(), "accept", Double.NaN)));
    };
  }

  /** small answers in text; big calls the weather tool (content null, finish_reason tool_calls). */
  private Route mockOpenAi() {
    return path(PathMatchers.segment("v1").slash("chat").slash("completions"), () -> post(() ->
        entity(Unmarshaller.entityToString(), body -> {
          JsonNode json;
          try {
            json = JSON.readTree(body);
          } catch (Exception e) {
            return complete(org.apache.pekko.http.javadsl.model.StatusCodes.BAD_REQUEST);
          }
          String model = json.path("model").asText();
          RECEIVED.computeIfAbsent(model, m -> new CopyOnWriteArrayList<>()).add(json);
          String answer = model.equals("big")
              ? "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                  + TOOL_CALLS + "},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":1000,"
                  + "\"completion_tokens\":100,\"total_tokens\":1100}}"
              : "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Let me think\"},"
                  + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":400,\"completion_tokens\":50,"
                  + "\"total_tokens\":450}}";
          return complete(org.apache.pekko.http.javadsl.model.HttpResponse.create()
              .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, answer)));
        })));
  }

  private static String request(String user, String extra) {
    return "{\"model\":\"" + PIPELINE + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],"
        + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":"
        + "\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"auto\","
        + "\"temperature\":0.2,\"seed\":5,\"user\":\"" + user + "\"" + extra + "}";
  }

  private HttpResponse<String> post(String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString(
            StandardCharsets.UTF_8));
  }

  /** Both models of the cascade got the client's tools, tool_choice and sampling fields for this user. */
  private static void bothModelsReceivedTheFields(String user) throws Exception {
    for (String model : List.of("small", "big")) {
      JsonNode body = RECEIVED.getOrDefault(model, List.of()).stream()
          .filter(b -> b.path("user").asText().equals(user)).findFirst()
          .orElseThrow(() -> new AssertionError(model + " got no call for " + user));
      assertEquals(JSON.readTree("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
          + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]"), body.get("tools"), model);
      assertEquals("auto", body.get("tool_choice").asText(), model);
      assertEquals(0.2, body.get("temperature").asDouble(), model);
      assertEquals(5, body.get("seed").asLong(), model);
    }
  }

  @Test
  void theModelsToolCallsComeBackWithFinishReasonUsageAndCost() throws Exception {
    HttpResponse<String> r = post(request("answered", ""));

    assertEquals(200, r.statusCode(), r.body());
    JsonNode choice = JSON.readTree(r.body()).get("choices").get(0);
    assertEquals(JSON.readTree(TOOL_CALLS), choice.get("message").get("tool_calls"));
    assertTrue(choice.get("message").get("content").isNull(), "the model gave no content: " + r.body());
    assertEquals("tool_calls", choice.get("finish_reason").asText());
    JsonNode root = JSON.readTree(r.body());
    // usage sums both calls' upstream token counts; the cost is the cards' prices for them
    assertEquals(1400, root.get("usage").get("prompt_tokens").asInt());
    assertEquals(150, root.get("usage").get("completion_tokens").asInt());
    double cost = (400 * 1.0 + 50 * 2.0 + 1000 * 10.0 + 100 * 30.0) / 1e6;
    assertEquals(cost, root.get("switchyard").get("cost_usd").asDouble(), 1e-12);
    assertEquals("big", root.get("switchyard").get("answer_model").asText());
    bothModelsReceivedTheFields("answered");
  }

  @Test
  void aStreamCarriesTheToolCallsDeltaAndTheFinishReason() throws Exception {
    HttpResponse<String> r = post(request("streamed", ",\"stream\":true"));

    assertEquals(200, r.statusCode(), r.body());
    List<JsonNode> chunks = new ArrayList<>();
    for (String event : r.body().split("\n\n")) {
      if (event.startsWith("data: {")) {
        chunks.add(JSON.readTree(event.substring("data: ".length())));
      }
    }
    assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
    JsonNode toolDelta = chunks.stream().map(c -> c.path("choices").path(0).path("delta"))
        .filter(d -> d.has("tool_calls")).findFirst().orElseThrow(() -> new AssertionError(r.body()));
    JsonNode call = toolDelta.get("tool_calls").get(0);
    assertEquals(0, call.get("index").asInt());
    assertEquals("call_9", call.get("id").asText());
    assertEquals("function", call.get("type").asText());
    assertEquals("get_weather", call.get("function").get("name").asText());
    assertEquals("{\"city\":\"Paris\"}", call.get("function").get("arguments").asText());
    JsonNode last = chunks.get(chunks.size() - 1);
    assertEquals("tool_calls", last.get("choices").get(0).get("finish_reason").asText());
    assertTrue(chunks.stream().noneMatch(c -> c.path("choices").path(0).path("delta").path("content").asText("")
        .length() > 0), "no content was streamed: the model gave none");
    bothModelsReceivedTheFields("streamed");
  }

  @Test
  void aDurableQueryKeepsTheFieldsAndTheToolCalls() throws Exception {
    HttpResponse<String> r = post(request("durable", ",\"switchyard\":{\"durability\":\"durable\"}"));

    assertEquals(200, r.statusCode(), r.body());
    JsonNode choice = JSON.readTree(r.body()).get("choices").get(0);
    assertEquals(JSON.readTree(TOOL_CALLS), choice.get("message").get("tool_calls"));
    assertEquals("tool_calls", choice.get("finish_reason").asText());
    bothModelsReceivedTheFields("durable");
  }

  @Test
  void theToolResultGoesBackToTheModelsInTheNextTurn() throws Exception {
    String body = "{\"model\":\"" + PIPELINE + "\",\"user\":\"next-turn\",\"messages\":["
        + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
        + "{\"role\":\"assistant\",\"content\":null,\"refusal\":null,\"tool_calls\":" + TOOL_CALLS + "},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"18C\"}]}";
    assertEquals(200, post(body).statusCode());

    JsonNode sent = RECEIVED.get("big").stream().filter(b -> b.path("user").asText().equals("next-turn"))
        .findFirst().orElseThrow();
    assertEquals(JSON.readTree(TOOL_CALLS), sent.get("messages").get(1).get("tool_calls"));
    assertTrue(sent.get("messages").get(1).get("content").isNull());
    assertEquals("call_9", sent.get("messages").get(2).get("tool_call_id").asText());
    assertEquals("18C", sent.get("messages").get(2).get("content").asText());
  }

  @Test
  void anUnknownFieldIsRefusedBeforeAnyModelIsCalled() throws Exception {
    HttpResponse<String> r = post(request("unknown", ",\"functions\":[]"));

    assertEquals(400, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals("functions", error.get("param").asText());
    assertEquals("unknown_field", error.get("code").asText());
    assertTrue(RECEIVED.values().stream().flatMap(List::stream)
        .noneMatch(b -> b.path("user").asText().equals("unknown")));
  }
}
