package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /admin/dashboard} and the {@code /dashboard} page's files, through real HTTP on a one-node engine over
 * the tiny simulated fleet: after two cascade and one bandit chat completion (and a request for an unknown
 * pipeline), the snapshot holds what those requests and their episodes say, and the page is served from the jar
 * with a same-origin-only Content-Security-Policy. (DashboardBrowserIT opens the page in Chromium.)
 */
class DashboardEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CASCADE = "switchyard/cascade";
  private static final String BANDIT = "switchyard/bandit";

  @TempDir
  static Path dir;

  private static TinyServer server;
  /** The answered chat completions, oldest first. */
  private static final List<JsonNode> answered = new ArrayList<>();
  private static JsonNode snapshot;

  @BeforeAll
  static void sendTrafficThenTakeASnapshot() throws Exception {
    server = TinyServer.start(dir, 0.0, Map.of("switchyard.http.dashboard-refresh", "2s"));
    answered.add(JSON.readTree(chat(CASCADE, TinyDataset.QUESTIONS.get(0), 200)));
    answered.add(JSON.readTree(chat(CASCADE, TinyDataset.QUESTIONS.get(1), 200)));
    answered.add(JSON.readTree(chat(BANDIT, TinyDataset.QUESTIONS.get(2), 200)));
    chat("no-such-pipeline", TinyDataset.QUESTIONS.get(0), 404);
    HttpResponse<String> r = get("/admin/dashboard");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    snapshot = JSON.readTree(r.body());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return server.send(HttpRequest.newBuilder(URI.create(server.base + path)).GET());
  }

  private static String chat(String pipeline, String question, int status) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", pipeline,
        "messages", List.of(Map.of("role", "user", "content", question))));
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(server.base + "/v1/chat/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(status, r.statusCode(), r.body());
    return r.body();
  }

  private static JsonNode entry(String array, String field, String value) {
    for (JsonNode n : snapshot.get(array)) {
      if (n.path(field).asText().equals(value)) {
        return n;
      }
    }
    throw new AssertionError("no " + array + " entry with " + field + " " + value + ": " + snapshot.get(array));
  }

  @Test
  void theNodeIsTheOneUpMemberOfItsCluster() {
    JsonNode cluster = snapshot.get("cluster");
    assertEquals(1, cluster.get("members").size(), cluster.toString());
    JsonNode self = cluster.get("members").get(0);
    assertEquals("Up", self.get("status").asText());
    assertTrue(self.get("self").asBoolean() && self.get("reachable").asBoolean(), self.toString());
    assertEquals(cluster.get("self").asText(), self.get("address").asText());
    assertTrue(self.get("roles").toString().contains("dc-default"), self.toString());
  }

  @Test
  void everyPoolIsListedWithItsLoadAndClosedCircuit() {
    for (String model : List.of("big", "small")) {
      JsonNode pool = entry("pools", "model", model);
      assertEquals("closed", pool.get("circuit").asText(), pool.toString());
      assertEquals(0, pool.get("in_flight").asInt(), "every call had ended: " + pool);
      assertTrue(pool.get("capacity").asInt() > 0, pool.toString());
    }
  }

  @Test
  void eachPipelineShowsTheRequestsQueriesAndCostItWasSent() {
    JsonNode cascade = entry("pipelines", "name", CASCADE);
    assertEquals(2, cascade.get("requests").get("total").asLong(), cascade.toString());
    assertEquals(Map.of("200", 2), JSON.convertValue(cascade.get("requests").get("by_status"), HashMap.class));
    assertEquals(2, cascade.get("queries").get("total").asLong());
    assertEquals(0, cascade.get("queries").get("abstained").asLong());
    double cascadeCost = answered.get(0).get("switchyard").get("cost_usd").asDouble()
        + answered.get(1).get("switchyard").get("cost_usd").asDouble();
    assertEquals(cascadeCost, cascade.get("cost").get("total_usd").asDouble(), 1e-12);
    assertEquals(cascadeCost / 2, cascade.get("cost").get("per_query_usd").asDouble(), 1e-12);
    JsonNode quality = cascade.get("quality");
    assertEquals(2, quality.get("recent_episodes").asInt());
    assertEquals(1.0, quality.get("answered_share").asDouble());
    assertTrue(quality.get("mean_reference_score").isNumber(), "the replayed answers' recorded correctness: "
        + quality);

    JsonNode bandit = entry("pipelines", "name", BANDIT);
    assertTrue(bandit.get("learned").asBoolean());
    assertEquals(1, bandit.get("requests").get("total").asLong());
    String model = answered.get(2).get("switchyard").get("answer_model").asText();
    assertEquals(1, bandit.get("queries").get("answered_by").get(model).asLong(), bandit.toString());

    JsonNode untouched = entry("pipelines", "name", "switchyard/flagship");
    assertEquals(0, untouched.get("requests").get("total").asLong());
    assertTrue(untouched.get("queries").get("mean_latency_ms").isNull());
    assertTrue(untouched.get("quality").get("answered_share").isNull(), untouched.toString());
  }

  @Test
  void theRecentEpisodesAreTheAnsweredQueriesNewestFirstWithTheirStepsAndNoText() {
    JsonNode episodes = snapshot.get("recent_episodes");
    assertEquals(3, episodes.size());
    for (int i = 0; i < 3; i++) {
      JsonNode e = episodes.get(i);
      JsonNode asked = answered.get(2 - i);
      assertEquals(asked.get("id").asText(), e.get("query_id").asText());
      assertEquals(asked.get("switchyard").get("answer_model").asText(), e.get("answer_model").asText());
      assertEquals(asked.get("switchyard").get("cost_usd").asDouble(), e.get("cost_usd").asDouble(), 1e-12);
      assertFalse(e.get("steps").isEmpty(), e.toString());
      assertFalse(e.has("query_text") || e.has("answer"), "no query text or answer: " + e);
    }
    JsonNode generated = null;
    for (JsonNode step : episodes.get(0).get("steps")) {
      if (step.get("stage").asText().equals("GENERATE")) {
        generated = step;
      }
    }
    assertTrue(generated != null && generated.get("call").get("input_tokens").asInt() > 0, episodes.get(0)
        .toString());
    assertFalse(snapshot.toString().contains(TinyDataset.QUESTIONS.get(0)), "no prompt text anywhere");
  }

  @Test
  void learnersShowTheirPolicyVersionAndEveryPipelineItsShadow() {
    JsonNode bandit = entry("learners", "pipeline", BANDIT);
    assertTrue(bandit.get("error").isNull(), bandit.toString());
    assertTrue(bandit.get("policy").get("node").get("version").asLong() >= 0);
    assertTrue(bandit.get("policy").get("learner").has("episodes"), bandit.toString());
    assertTrue(bandit.get("shadow").get("shadow").isNull(), "none installed: " + bandit);
    JsonNode cascade = entry("learners", "pipeline", CASCADE);
    assertTrue(cascade.get("policy").isNull(), "a fixed pipeline has no learner: " + cascade);
    assertTrue(cascade.get("shadow").has("promoted"), cascade.toString());
  }

  @Test
  void noTenantIsConfiguredAndThePageIsToldHowOftenToRefresh() {
    assertEquals(0, snapshot.get("tenants").size());
    assertEquals(2000, snapshot.get("refresh_interval_ms").asLong());
    assertTrue(snapshot.get("metrics_enabled").asBoolean());
  }

  @Test
  void thePageAndItsFilesComeFromTheJarUnderASameOriginPolicy() throws Exception {
    for (String path : List.of("/dashboard", "/dashboard/")) {
      HttpResponse<String> page = get(path);
      assertEquals(200, page.statusCode(), path);
      assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
      assertTrue(page.body().contains("<script src=\"/dashboard/dashboard.js\""), page.body());
      String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(policy.contains("default-src 'none'") && policy.contains("script-src 'self'")
          && policy.contains("connect-src 'self'"), policy);
    }
    HttpResponse<String> script = get("/dashboard/dashboard.js");
    assertEquals(200, script.statusCode());
    assertTrue(script.body().contains("/admin/dashboard"), "the page's script fetches the snapshot");
    assertEquals(200, get("/dashboard/dashboard.css").statusCode());
    assertEquals(200, get("/dashboard/favicon.svg").statusCode());

    HttpResponse<String> missing = get("/dashboard/no-such-file.js");
    assertEquals(404, missing.statusCode(), missing.body());
    assertEquals("not_found", JSON.readTree(missing.body()).get("error").get("code").asText());
  }

  @Test
  void theSnapshotIsOnlyRead() throws Exception {
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(server.base + "/admin/dashboard"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(405, r.statusCode(), r.body());
    assertEquals("GET", r.headers().firstValue("Allow").orElse(""));
  }
}
