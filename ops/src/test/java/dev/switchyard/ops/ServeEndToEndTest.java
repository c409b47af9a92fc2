package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.simulator.SimulatedFleet;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole application over HTTP: the real engine ({@link EngineNode#start}) on the simulated fleet
 * ({@link SimulatedFleet#setup}) of a hand-made 2-model data set, behind the real API.
 */
class ServeEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double SMALL_COST = 0.0001;
  private static final double BIG_COST = 0.002;

  @TempDir
  static Path dir;

  private static TinyServer server;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    server = TinyServer.start(dir, 0.0);
    base = server.base;
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return server.send(request);
  }

  private static HttpResponse<String> chat(String pipeline, String question, boolean stream) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", pipeline, "stream", stream,
        "messages", List.of(Map.of("role", "user", "content", question))));
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static List<String> pipelines() throws Exception {
    JsonNode models = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET()).body());
    List<String> names = new ArrayList<>();
    models.get("data").forEach(m -> names.add(m.get("id").asText()));
    return names;
  }

  @Test
  void servesTheStandardPipelinesWithTheirDimensions() throws Exception {
    List<String> names = pipelines();
    assertTrue(names.contains("switchyard/cascade"), names.toString());
    assertTrue(names.contains("switchyard/bandit"), names.toString());
    JsonNode models = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET()).body());
    models.get("data").forEach(m -> assertTrue(m.get("switchyard").get("dimensions").has("when"), m.toString()));
    assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "/ready")).GET()).statusCode());
  }

  @Test
  void everyPipelineAnswersWithARecordedAnswerAndExactReplayedCost() throws Exception {
    int q = 5; // "Who proved Fermat's Last Theorem?": test split, the small model is wrong on it
    for (String pipeline : pipelines()) {
      HttpResponse<String> r = chat(pipeline, TinyDataset.QUESTIONS.get(q), false);
      assertEquals(200, r.statusCode(), pipeline + ": " + r.body());
      JsonNode body = JSON.readTree(r.body());
      JsonNode sy = body.get("switchyard");
      List<String> called = new ArrayList<>();
      sy.get("models_called").forEach(m -> called.add(m.asText()));
      assertFalse(called.isEmpty(), pipeline);
      assertTrue(Set.of("small", "big").containsAll(called), called.toString());
      double expectedCost = called.stream().mapToDouble(m -> m.equals("big") ? BIG_COST : SMALL_COST).sum();
      assertEquals(expectedCost, sy.get("cost_usd").asDouble(), 1e-12, pipeline);
      assertEquals(called.size(), sy.get("rounds").asInt(), pipeline);
      if (!sy.get("abstained").asBoolean()) {
        String answer = body.get("choices").get(0).get("message").get("content").asText();
        String model = sy.get("answer_model").asText();
        assertEquals(model.equals("big") ? TinyDataset.ANSWERS.get(q) : "I am not sure", answer, pipeline);
        assertEquals(model, r.headers().firstValue("x-switchyard-model").orElse(""));
      }
    }
  }

  @Test
  void aPromptOutsideTheRecordingIsAnsweredFromItsNearestRecordedQueryAndSaysSo() throws Exception {
    HttpResponse<String> r = chat("switchyard/cascade", "Who was it that proved Fermat's Last Theorem?", false);

    assertEquals(200, r.statusCode(), r.body());
    JsonNode sy = JSON.readTree(r.body()).get("switchyard");
    assertTrue(sy.get("note").asText().contains("nearest recorded prompt: tiny-test-5"), sy.toString());
    String answer = JSON.readTree(r.body()).get("choices").get(0).get("message").get("content").asText();
    assertTrue(Set.of("Andrew Wiles", "I am not sure").contains(answer), answer);
  }

  @Test
  void streamingEndsWithDoneAndCarriesTheSameKindOfAnswer() throws Exception {
    HttpResponse<String> r = chat("switchyard/cascade", TinyDataset.QUESTIONS.get(6), true);

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
    StringBuilder content = new StringBuilder();
    for (String frame : r.body().split("\n\n")) {
      assertTrue(frame.startsWith("data: "), frame);
      if (!frame.equals("data: [DONE]")) {
        JsonNode delta = JSON.readTree(frame.substring(6)).get("choices").get(0).get("delta");
        content.append(delta.path("content").asText(""));
      }
    }
    assertTrue(Set.of(TinyDataset.ANSWERS.get(6), "I am not sure").contains(content.toString()), content.toString());
  }

  @Test
  void serveProcessShutsDownGracefullyOnSigterm() throws Exception {
    Path data = TinyDataset.write(dir.resolve("proc"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve("serve.log");
    Process p = new ProcessBuilder(java, "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4", "-cp",
        System.getProperty("java.class.path"), SwitchyardCli.class.getName(), "serve", "--port", "0",
        "--data", data.toString(), "--state-dir", dir.resolve("proc-state").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Pattern listening = Pattern.compile("listening on http://[^:]+:(\\d+)");
      int port = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (port < 0 && p.isAlive() && System.nanoTime() < deadline) {
        Matcher m = listening.matcher(Files.readString(log));
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        } else {
          Thread.sleep(200);
        }
      }
      assertTrue(port > 0, "serve did not start:\n" + Files.readString(log));
      HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).GET());
      assertEquals(200, health.statusCode());
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve did not stop within 60 s of SIGTERM");
      assertTrue(Files.readString(log).contains("CoordinatedShutdown"), Files.readString(log));
    } finally {
      p.destroyForcibly();
    }
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void toolsOrAResponseFormatForAPipelineOfSimulatedModelsAreRefusedNamingTheField() throws Exception {
    String ask = "{\"model\":\"switchyard/cascade\",\"messages\":[{\"role\":\"user\",\"content\":"
        + "\"What is 2 + 2?\"}],";
    Map<String, String> refused = Map.of(
        "tools", ask + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"calc\"}}]}",
        "response_format", ask + "\"response_format\":{\"type\":\"json_object\"}}");
    for (var c : refused.entrySet()) {
      for (String durability : List.of("", ",\"switchyard\":{\"durability\":\"durable\"}")) {
        String body = c.getValue().substring(0, c.getValue().length() - 1) + durability + "}";
        HttpResponse<String> r = post(body);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertEquals(c.getKey(), error.get("param").asText(), r.body());
        assertEquals("unsupported_field", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("simulated replay"), r.body());
      }
    }
  }

  @Test
  void samplingFieldsOnASimulatedModelAreNotedAsNotApplied() throws Exception {
    HttpResponse<String> r = post("{\"model\":\"switchyard/cascade\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"What is 2 + 2?\"}],\"temperature\":0.3,\"seed\":1,\"user\":\"u\"}");

    assertEquals(200, r.statusCode(), r.body());
    JsonNode root = JSON.readTree(r.body());
    assertEquals("4", root.get("choices").get(0).get("message").get("content").asText());
    assertEquals("a replay returns the recorded answer: temperature, seed not applied",
        root.get("switchyard").get("note").asText(), r.body());
  }
}
