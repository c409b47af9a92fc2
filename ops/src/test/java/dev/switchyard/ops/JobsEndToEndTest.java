package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs API over HTTP against the real engine on the simulated fleet of a hand-made 2-model data set (recorded
 * latencies replayed: 50 ms for "small", 400 ms for "big"), in the style of {@link ServeEndToEndTest}.
 */
class JobsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");

  @TempDir
  static Path dir;

  private static TinyServer server;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    server = TinyServer.start(dir, 1.0);
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

  private static Map<String, Object> body(String pipeline, List<Integer> questions, Map<String, Object> budget) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", pipeline);
    body.put("messages", List.of(Map.of("role", "user", "content", TinyDataset.QUESTIONS.get(questions.get(0)))));
    if (questions.size() > 1) {
      List<Object> steps = new ArrayList<>();
      questions.subList(1, questions.size()).forEach(q -> steps.add(Map.of("messages",
          List.of(Map.of("role", "user", "content", TinyDataset.QUESTIONS.get(q))))));
      body.put("steps", steps);
    }
    if (budget != null) {
      body.put("budget", budget);
    }
    return body;
  }

  private static HttpResponse<String> post(Object body, String idempotencyKey) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "/v1/jobs"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body)));
    if (idempotencyKey != null) {
      r.header("Idempotency-Key", idempotencyKey);
    }
    return send(r);
  }

  private static JsonNode get(String id) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id)).GET());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static JsonNode awaitEnd(String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode job = get(id);
    while (!TERMINAL.contains(job.get("status").asText()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      job = get(id);
    }
    assertTrue(TERMINAL.contains(job.get("status").asText()), job.toString());
    return job;
  }

  /** One parsed SSE event. */
  record Sse(long id, String event, JsonNode data) {}

  private static List<Sse> events(String id, String lastEventId) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id + "/events")).GET();
    if (lastEventId != null) {
      r.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<String> response = send(r);
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    List<Sse> out = new ArrayList<>();
    for (String frame : response.body().split("\n\n")) {
      if (frame.startsWith(":") || frame.isEmpty()) {
        continue; // keep-alive comment, or the empty body of a stream with nothing left
      }
      String[] lines = frame.split("\n");
      assertEquals(3, lines.length, frame);
      assertTrue(lines[0].startsWith("id: ") && lines[1].startsWith("event: ") && lines[2].startsWith("data: "),
          frame);
      out.add(new Sse(Long.parseLong(lines[0].substring(4)), lines[1].substring(7),
          JSON.readTree(lines[2].substring(6))));
    }
    return out;
  }

  private static JsonNode error(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).get("error");
  }

  @Test
  void aMultiStepJobIsAcceptedWith202AndRunsItsStepsWithTheirCalls() throws Exception {
    HttpResponse<String> r = post(body("switchyard/cascade", List.of(0, 1, 2), null), null);
    assertEquals(202, r.statusCode(), r.body());
    JsonNode accepted = JSON.readTree(r.body());
    String id = accepted.get("id").asText();
    assertEquals("/v1/jobs/" + id, r.headers().firstValue("Location").orElse(""));
    assertTrue(Set.of("queued", "running").contains(accepted.get("status").asText()), accepted.toString());

    JsonNode job = awaitEnd(id);
    assertEquals("succeeded", job.get("status").asText(), job.toString());
    assertEquals(3, job.get("steps").size());
    double total = 0;
    int rounds = 0;
    for (int i = 0; i < 3; i++) {
      JsonNode step = job.get("steps").get(i);
      assertEquals(id + "/step-" + i, step.get("query_id").asText());
      assertEquals("answered", step.get("status").asText());
      assertTrue(step.get("calls").size() >= 1, step.toString());
      double stepCost = 0;
      for (JsonNode call : step.get("calls")) {
        assertEquals("answered", call.get("outcome").asText());
        String model = call.get("model").asText();
        assertEquals(model.equals("big") ? 0.002 : 0.0001, call.get("cost_usd").asDouble(), 1e-12);
        stepCost += call.get("cost_usd").asDouble();
      }
      assertEquals(stepCost, step.get("cost_usd").asDouble(), 1e-12);
      assertEquals(step.get("calls").size(), step.get("rounds").asInt());
      total += stepCost;
      rounds += step.get("rounds").asInt();
    }
    JsonNode result = job.get("result");
    assertEquals(total, result.get("cost_usd").asDouble(), 1e-12);
    assertEquals(rounds, result.get("rounds").asInt());
    assertEquals(job.get("steps").get(2).get("answer").asText(), result.get("answer").asText());
    assertTrue(Set.of(TinyDataset.ANSWERS.get(2), "I am not sure").contains(result.get("answer").asText()));
    assertTrue(job.get("failure").isNull());
  }

  @Test
  void eventsCarryIncreasingIdsEndWithTheTerminalEventAndResumeAfterLastEventId() throws Exception {
    String id = JSON.readTree(post(body("switchyard/cascade", List.of(4, 5), null), null).body()).get("id").asText();
    List<Sse> live = events(id, null); // connected while the job runs: replay, then live, until the end
    assertFalse(live.isEmpty());
    for (int i = 0; i < live.size(); i++) {
      assertEquals(i + 1, live.get(i).id(), live.toString());
      assertEquals(live.get(i).event(), live.get(i).data().get("type").asText());
    }
    assertEquals("accepted", live.get(0).event());
    assertEquals("succeeded", live.get(live.size() - 1).event());
    assertEquals(2, live.stream().filter(e -> e.event().equals("step_finished")).count());
    assertTrue(live.stream().anyMatch(e -> e.event().equals("step")
        && e.data().get("event").get("stage").asText().equals("generate")));

    List<Sse> replay = events(id, null);
    assertEquals(live, replay, "a replay from the journal gives the same events and ids");
    List<Sse> resumed = events(id, "3");
    assertEquals(live.subList(3, live.size()), resumed);
    // A reconnect after the terminal event: nothing is left, so the stream ends at once (not at stream-timeout).
    long start = System.nanoTime();
    assertEquals(List.of(), events(id, Long.toString(live.get(live.size() - 1).id())));
    assertEquals(List.of(), events(id, Long.toString(live.get(live.size() - 1).id() + 5)));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the ended stream waited");
    assertEquals(400, send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id + "/events"))
        .header("Last-Event-ID", "abc").GET()).statusCode());
  }

  @Test
  void deleteCancelsARunningJobBeforeItsNextStep() throws Exception {
    List<Integer> many = List.of(1, 3, 5, 7, 1, 3, 5, 7, 1, 3, 5, 7); // hard questions: each takes both models
    String id = JSON.readTree(post(body("switchyard/cascade", many, null), null).body()).get("id").asText();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (get(id).get("result").get("steps_finished").asInt() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    HttpResponse<String> cancel = send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id)).DELETE());
    JsonNode atCancel = JSON.readTree(cancel.body());
    assertTrue(atCancel.get("cancel_requested").asBoolean(), atCancel.toString());
    assertEquals(atCancel.get("status").asText().equals("cancelled") ? 200 : 202, cancel.statusCode());

    JsonNode job = awaitEnd(id);
    assertEquals("cancelled", job.get("status").asText(), job.toString());
    assertEquals("cancelled", job.get("failure").get("code").asText());
    assertEquals(atCancel.get("steps").size(), job.get("steps").size(), "no step started after the cancel");
    assertTrue(job.get("steps").size() < many.size());

    HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id)).DELETE());
    assertEquals(200, again.statusCode(), "cancelling an ended job is a no-op");
    assertEquals("cancelled", JSON.readTree(again.body()).get("status").asText());
    assertEquals("cancelled", events(id, null).get(events(id, null).size() - 1).event());
  }

  @Test
  void anIdempotencyKeyReturnsTheSameJobAndRefusesADifferentBody() throws Exception {
    Map<String, Object> body = body("switchyard/cascade", List.of(0), null);
    HttpResponse<String> first = post(body, "order-7731");
    HttpResponse<String> second = post(body, "order-7731");
    assertEquals(202, first.statusCode(), first.body());
    assertEquals(202, second.statusCode(), second.body());
    String id = JSON.readTree(first.body()).get("id").asText();
    assertEquals(id, JSON.readTree(second.body()).get("id").asText());
    assertEquals("true", second.headers().firstValue("Idempotent-Replayed").orElse(""));
    assertEquals(first.headers().firstValue("Location"), second.headers().firstValue("Location"));

    HttpResponse<String> other = post(body("switchyard/cascade", List.of(2), null), "order-7731");
    assertEquals(422, other.statusCode(), other.body());
    assertEquals("idempotency_key_reused", error(other).get("code").asText());
    assertEquals("Idempotency-Key", error(other).get("param").asText());

    String fresh = JSON.readTree(post(body, "order-7732").body()).get("id").asText();
    assertNotEquals(id, fresh);
    assertEquals(400, post(body, "bad key with spaces").statusCode());
  }

  @Test
  void theBudgetSpansStepsAndAnExhaustedJobFailsWithTheBestAnswerSoFar() throws Exception {
    // Every step makes at least one call: 2 calls for the job leave none for the third step, whichever models
    // the cascade chooses.
    String id = JSON.readTree(post(body("switchyard/cascade", List.of(1, 3, 5), Map.of("max_rounds", 2)), null)
        .body()).get("id").asText();
    JsonNode job = awaitEnd(id);
    assertEquals("failed", job.get("status").asText(), job.toString());
    assertEquals("budget_exhausted", job.get("failure").get("code").asText());
    assertTrue(job.get("result").get("rounds").asInt() <= 2, job.toString());
    assertTrue(job.get("steps").size() < 3, job.toString());
    assertFalse(job.get("result").get("answer").isNull(), "the best answer so far is kept");
  }

  @Test
  void unknownJobsAre404InTheOpenAiErrorShape() throws Exception {
    for (HttpRequest.Builder r : List.of(
        HttpRequest.newBuilder(URI.create(base + "/v1/jobs/job-nope")).GET(),
        HttpRequest.newBuilder(URI.create(base + "/v1/jobs/job-nope")).DELETE(),
        HttpRequest.newBuilder(URI.create(base + "/v1/jobs/job-nope/events")).GET())) {
      HttpResponse<String> response = send(r);
      assertEquals(404, response.statusCode(), response.body());
      assertEquals("not_found", error(response).get("code").asText());
      assertTrue(error(response).get("message").asText().contains("job-nope"));
    }
  }

  @Test
  void malformedJobBodiesAre400NamingTheField() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    Map<String, Object> emptySteps = body("switchyard/cascade", List.of(0), null);
    emptySteps.put("steps", List.of());
    cases.put("steps", JSON.writeValueAsString(emptySteps));
    cases.put("budget.max_cost_usd", JSON.writeValueAsString(body("switchyard/cascade", List.of(0),
        Map.of("max_cost_usd", -1))));
    cases.put("budget.max_rounds", JSON.writeValueAsString(body("switchyard/cascade", List.of(0),
        Map.of("max_rounds", 2.5))));
    Map<String, Object> noStepMessages = body("switchyard/cascade", List.of(0), null);
    noStepMessages.put("steps", List.of(Map.of("content", "x")));
    cases.put("steps[0].messages", JSON.writeValueAsString(noStepMessages));
    Map<String, Object> badRole = body("switchyard/cascade", List.of(0), null);
    badRole.put("steps", List.of(Map.of("messages", List.of(Map.of("role", "robot", "content", "x")))));
    cases.put("steps[0].messages[0].role", JSON.writeValueAsString(badRole));
    cases.put("messages", "{\"model\": \"switchyard/cascade\"}");
    for (var c : cases.entrySet()) {
      HttpResponse<String> r = post(c.getValue(), null);
      assertEquals(400, r.statusCode(), c.getKey() + ": " + r.body());
      assertEquals(c.getKey(), error(r).get("param").asText(), r.body());
    }
    HttpResponse<String> unknown = post(body("switchyard/no-such", List.of(0), null), null);
    assertEquals(404, unknown.statusCode());
    assertEquals("model_not_found", error(unknown).get("code").asText());
  }

  @Test
  void feedbackForAJobGoesToItsFinalEpisode() throws Exception {
    String id = JSON.readTree(post(body("switchyard/bandit", List.of(0, 2), null), null).body()).get("id").asText();
    awaitEnd(id);
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/v1/feedback"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\": \"" + id + "\", \"reward\": 1}")));
    assertEquals(200, r.statusCode(), r.body());
    JsonNode ok = JSON.readTree(r.body());
    assertEquals(id, ok.get("job_id").asText());
    assertEquals(id + "/step-1", ok.get("query_id").asText(), "the reward goes to the last step's episode");

    HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(base + "/v1/feedback"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\": \"job-nope\", \"reward\": 1}")));
    assertEquals(404, unknown.statusCode(), unknown.body());
    HttpResponse<String> both = send(HttpRequest.newBuilder(URI.create(base + "/v1/feedback"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\": \"" + id + "\", \"query_id\": \"x\", \"reward\": 1}")));
    assertEquals(400, both.statusCode(), both.body());
  }
}
