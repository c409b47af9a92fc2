package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/feedback} against the real engine: a query (ephemeral or durable) or a job takes one reward;
 * a second is 409 {@code feedback_exists} naming the recorded reward, unless {@code "replace": true}.
 */
class FeedbackEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private static TinyServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TinyServer.start(dir, 0.0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return server.send(HttpRequest.newBuilder(URI.create(server.base + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static String chat(String durability) throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", JSON.writeValueAsString(Map.of(
        "model", "switchyard/cascade", "switchyard", Map.of("durability", durability),
        "messages", List.of(Map.of("role", "user", "content", TinyDataset.QUESTIONS.get(0))))));
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body()).get("id").asText();
  }

  private static JsonNode error(HttpResponse<String> r, int status, String param, String code) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode e = JSON.readTree(r.body()).get("error");
    assertEquals(Set.of("message", "type", "param", "code"), Set.copyOf(iterable(e)));
    assertEquals(param, e.get("param").asText());
    assertEquals(code, e.get("code").asText());
    return e;
  }

  private static List<String> iterable(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aQueryTakesOneRewardUnlessTheNextOneReplacesIt() throws Exception {
    for (String durability : List.of("ephemeral", "durable")) {
      String id = chat(durability);
      HttpResponse<String> first = post("/v1/feedback", "{\"query_id\":\"" + id + "\",\"reward\":1}");
      assertEquals(200, first.statusCode(), first.body());
      assertEquals("accepted", JSON.readTree(first.body()).get("status").asText());

      JsonNode second = error(post("/v1/feedback", "{\"query_id\":\"" + id + "\",\"reward\":0}"), 409, "query_id",
          "feedback_exists");
      assertTrue(second.get("message").asText().contains("reward 1.0"), second.toString());
      assertTrue(second.get("message").asText().contains("replace"), "says how to replace it: " + second);

      HttpResponse<String> replaced = post("/v1/feedback", "{\"query_id\":\"" + id + "\",\"reward\":0,"
          + "\"replace\":true}");
      assertEquals(200, replaced.statusCode(), durability + ": " + replaced.body());
      JsonNode third = error(post("/v1/feedback", "{\"query_id\":\"" + id + "\",\"reward\":0.5,"
          + "\"replace\":false}"), 409, "query_id", "feedback_exists");
      assertTrue(third.get("message").asText().contains("reward 0.0"), "the replacing reward is recorded: " + third);
    }
  }

  @Test
  void replaceMustBeABoolean() throws Exception {
    String id = chat("ephemeral");
    for (String bad : List.of("\"yes\"", "1", "{}")) {
      error(post("/v1/feedback", "{\"query_id\":\"" + id + "\",\"reward\":1,\"replace\":" + bad + "}"), 400,
          "replace", "invalid_value");
    }
    HttpResponse<String> first = post("/v1/feedback", "{\"query_id\":\"" + id + "\",\"reward\":1}");
    assertEquals(200, first.statusCode(), "the invalid ones recorded nothing: " + first.body());
  }

  @Test
  void aJobTakesOneRewardToo() throws Exception {
    HttpResponse<String> submitted = post("/v1/jobs", JSON.writeValueAsString(Map.of("model", "switchyard/cascade",
        "messages", List.of(Map.of("role", "user", "content", TinyDataset.QUESTIONS.get(1))))));
    assertEquals(202, submitted.statusCode(), submitted.body());
    String job = JSON.readTree(submitted.body()).get("id").asText();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String status = "";
    while (!Set.of("succeeded", "failed", "cancelled").contains(status) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      status = JSON.readTree(server.send(HttpRequest.newBuilder(URI.create(server.base + "/v1/jobs/" + job)).GET())
          .body()).get("status").asText();
    }
    assertEquals("succeeded", status);

    assertEquals(200, post("/v1/feedback", "{\"job_id\":\"" + job + "\",\"reward\":1}").statusCode());
    JsonNode again = error(post("/v1/feedback", "{\"job_id\":\"" + job + "\",\"reward\":0}"), 409, "job_id",
        "feedback_exists");
    assertTrue(again.get("message").asText().contains("reward 1.0"), again.toString());
    assertEquals(200, post("/v1/feedback", "{\"job_id\":\"" + job + "\",\"reward\":0,\"replace\":true}")
        .statusCode());
  }
}
