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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a one-node engine over the tiny simulated fleet, through real HTTP: after a known set of
 * chat completions (a fixed and a learned pipeline, streamed and not, two refused), the scraped Prometheus text
 * holds each series with the values those requests and their episodes say.
 */
class MetricsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CASCADE = "switchyard/cascade";
  private static final String BANDIT = "switchyard/bandit";

  @TempDir
  static Path dir;

  private static TinyServer server;
  /** What the answered requests report, summed: the truth the metrics must match. */
  private static final List<JsonNode> summaries = new ArrayList<>();
  private static final Map<String, Integer> answersByModel = new HashMap<>();
  private static long promptTokens;
  private static long completionTokens;
  private static Scrape scrape;

  @BeforeAll
  static void sendRequestsThenScrape() throws Exception {
    server = TinyServer.start(dir, 0.0);
    for (int i = 0; i < 3; i++) {
      answered(chat(CASCADE, TinyDataset.QUESTIONS.get(i), false));
    }
    for (int i = 3; i < 5; i++) {
      answered(chat(BANDIT, TinyDataset.QUESTIONS.get(i), false));
    }
    streamed(chat(BANDIT, TinyDataset.QUESTIONS.get(5), true));
    HttpResponse<String> invalid = post("/v1/chat/completions", "{\"model\":\"" + CASCADE + "\",\"messages\":[]}");
    assertEquals(400, invalid.statusCode(), invalid.body());
    HttpResponse<String> unknown = chat("no-such-pipeline", TinyDataset.QUESTIONS.get(0), false);
    assertEquals(404, unknown.statusCode(), unknown.body());

    HttpResponse<String> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode(), metrics.body());
    String type = metrics.headers().firstValue("Content-Type").orElse("");
    assertTrue(type.startsWith("text/plain") && type.contains("version=0.0.4"), type);
    scrape = Scrape.parse(metrics.body());
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

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return server.send(HttpRequest.newBuilder(URI.create(server.base + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> chat(String pipeline, String question, boolean stream) throws Exception {
    Map<String, Object> body = new HashMap<>(Map.of("model", pipeline, "stream", stream,
        "messages", List.of(Map.of("role", "user", "content", question))));
    if (stream) {
      body.put("stream_options", Map.of("include_usage", true));
    }
    return post("/v1/chat/completions", JSON.writeValueAsString(body));
  }

  private static void answered(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    JsonNode root = JSON.readTree(r.body());
    count(root.get("switchyard"), root.get("usage"));
  }

  private static void streamed(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    JsonNode summary = null;
    JsonNode usage = null;
    for (String line : r.body().split("\n")) {
      if (!line.startsWith("data: {")) {
        continue;
      }
      JsonNode chunk = JSON.readTree(line.substring("data: ".length()));
      if (chunk.has("switchyard") && chunk.get("switchyard").has("rounds")) {
        summary = chunk.get("switchyard");
      }
      if (chunk.hasNonNull("usage")) {
        usage = chunk.get("usage");
      }
    }
    assertTrue(summary != null && usage != null, r.body());
    count(summary, usage);
  }

  private static void count(JsonNode summary, JsonNode usage) {
    assertFalse(summary.get("abstained").asBoolean(), summary.toString());
    summaries.add(summary);
    promptTokens += usage.get("prompt_tokens").asLong();
    completionTokens += usage.get("completion_tokens").asLong();
    answersByModel.merge(summary.get("answer_model").asText(), 1, Integer::sum);
  }

  private static double sum(List<JsonNode> nodes, String field) {
    return nodes.stream().mapToDouble(n -> n.get(field).asDouble()).sum();
  }

  @Test
  void requestsAreCountedByRoutePipelineAndStatus() {
    String requests = "switchyard_http_requests_seconds_count";
    assertEquals(3, scrape.value(requests, Map.of("route", "chat_completions", "pipeline", CASCADE, "status", "200")));
    assertEquals(3, scrape.value(requests, Map.of("route", "chat_completions", "pipeline", BANDIT, "status", "200")));
    assertEquals(1, scrape.value(requests, Map.of("route", "chat_completions", "pipeline", "none", "status", "400")),
        "an unreadable request names no pipeline");
    assertEquals(1, scrape.value(requests, Map.of("route", "chat_completions", "pipeline", "none", "status", "404")),
        "an unknown pipeline name never becomes a tag");
    assertEquals(8, scrape.sum(requests, labels -> labels.get("route").equals("chat_completions")));
  }

  @Test
  void modelCallsSumToTheRoundsTheEpisodesReport() {
    double rounds = sum(summaries, "rounds");
    assertTrue(rounds >= summaries.size(), "every answered query called a model");
    assertEquals(rounds, scrape.sum("switchyard_model_calls_total", labels -> true));
    for (String model : List.of("small", "big")) {
      long called = summaries.stream().mapToLong(s -> count(s.get("models_called"), model)).sum();
      assertEquals(called, scrape.sum("switchyard_model_calls_total", labels -> labels.get("model").equals(model)
          && labels.get("outcome").equals("answered")), model);
    }
    assertTrue(scrape.sum("switchyard_model_calls_total", labels -> true) > 0);
  }

  private static long count(JsonNode array, String value) {
    long n = 0;
    for (JsonNode v : array) {
      n += v.asText().equals(value) ? 1 : 0;
    }
    return n;
  }

  @Test
  void tokensAndCostMatchWhatTheResponsesReport() {
    assertEquals(promptTokens, scrape.sum("switchyard_model_tokens_total", l -> l.get("type").equals("input")));
    assertEquals(completionTokens, scrape.sum("switchyard_model_tokens_total", l -> l.get("type").equals("output")));
    assertEquals(sum(summaries, "cost_usd"), scrape.sum("switchyard_model_cost_usd_total", l -> true), 1e-9);
    for (String pipeline : List.of(CASCADE, BANDIT)) {
      List<JsonNode> its = summaries.subList(pipeline.equals(CASCADE) ? 0 : 3, pipeline.equals(CASCADE) ? 3 : 6);
      assertEquals(sum(its, "cost_usd"), scrape.value("switchyard_query_cost_usd_total", Map.of("pipeline", pipeline)),
          1e-9, pipeline);
    }
  }

  @Test
  void queriesAreTimedPerPipelineAndAnsweringModel() {
    for (var answer : answersByModel.entrySet()) {
      assertEquals((double) answer.getValue(), scrape.sum("switchyard_query_duration_seconds_count",
          l -> l.get("model").equals(answer.getKey())), answer.getKey());
    }
    assertEquals(3, scrape.sum("switchyard_query_duration_seconds_count", l -> l.get("pipeline").equals(CASCADE)));
    assertEquals(3, scrape.sum("switchyard_query_duration_seconds_count", l -> l.get("pipeline").equals(BANDIT)));
    assertTrue(scrape.sum("switchyard_routing_decision_seconds_count", l -> l.get("pipeline").equals(CASCADE)) >= 3,
        "at least one decision per query");
    assertTrue(scrape.sum("switchyard_routing_decision_seconds_count", l -> l.get("pipeline").equals(BANDIT)) >= 3);
  }

  @Test
  void onlyTheStreamedRequestHasATimeToFirstToken() {
    assertEquals(1, scrape.sum("switchyard_stream_first_token_seconds_count", l -> true));
    assertEquals(1, scrape.sum("switchyard_stream_first_token_seconds_count", l -> l.get("pipeline").equals(BANDIT)
        && l.get("model").equals(summaries.get(summaries.size() - 1).get("answer_model").asText())));
  }

  @Test
  void latencyHistogramsHaveTheirBucketsUpToInfinity() {
    for (String histogram : List.of("switchyard_http_requests_seconds", "switchyard_query_duration_seconds",
        "switchyard_model_call_duration_seconds", "switchyard_stream_first_token_seconds",
        "switchyard_routing_decision_seconds")) {
      List<Scrape.Sample> buckets = scrape.samples(histogram + "_bucket");
      assertFalse(buckets.isEmpty(), histogram);
      Set<String> bounds = new TreeSet<>();
      buckets.forEach(b -> bounds.add(b.labels().get("le")));
      assertTrue(bounds.contains("+Inf"), histogram + " " + bounds);
      assertTrue(bounds.size() > 5, histogram + " has its configured buckets: " + bounds);
      assertEquals(scrape.sum(histogram + "_count", l -> true),
          scrape.sum(histogram + "_bucket", l -> l.get("le").equals("+Inf")), histogram);
    }
    Set<String> requestBounds = new HashSet<>();
    scrape.samples("switchyard_http_requests_seconds_bucket").forEach(b -> requestBounds.add(b.labels().get("le")));
    assertTrue(requestBounds.containsAll(List.of("0.05", "1.0", "120.0")), "50 ms .. 120 s: " + requestBounds);
  }

  @Test
  void everyPoolHasItsQueueAndCircuitGauges() {
    for (String model : List.of("small", "big")) {
      assertEquals(0, scrape.value("switchyard_pool_queue_depth", Map.of("model", model)), model);
      assertEquals(0, scrape.value("switchyard_pool_in_flight", Map.of("model", model)),
          model + ": every call had ended before the scrape");
      assertEquals(0, scrape.value("switchyard_pool_circuit_state", Map.of("model", model, "worker", "0")),
          model + ": closed");
    }
  }

  @Test
  void eachLearnedPipelineHasItsPolicyVersion() throws Exception {
    JsonNode models = JSON.readTree(get("/v1/models").body());
    Set<String> learned = new TreeSet<>();
    models.get("data").forEach(m -> {
      if (m.get("switchyard").get("learned").asBoolean()) {
        learned.add(m.get("id").asText());
      }
    });
    assertTrue(learned.contains(BANDIT), learned.toString());
    Set<String> gauged = new TreeSet<>();
    scrape.samples("switchyard_learner_policy_version").forEach(s -> gauged.add(s.labels().get("pipeline")));
    assertEquals(learned, gauged);

    // the bandit learned from its 3 episodes: its version grows with them (one step per batch learned)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    double version = 0;
    while (System.nanoTime() < deadline) {
      version = Scrape.parse(get("/metrics").body()).value("switchyard_learner_policy_version",
          Map.of("pipeline", BANDIT));
      if (version >= 1) {
        break;
      }
      Thread.sleep(100);
    }
    assertTrue(version >= 1 && version <= 3, "version " + version);
    for (String other : learned) {
      if (!other.equals(BANDIT)) {
        assertEquals(0, scrape.value("switchyard_learner_policy_version", Map.of("pipeline", other)),
            other + " got no query");
      }
    }
  }

  @Test
  void metricsAreNotAnApiRequest() throws Exception {
    Scrape again = Scrape.parse(get("/metrics").body());
    assertEquals(0, again.sum("switchyard_http_requests_seconds_count", l -> !l.get("route").equals("chat_completions")
        && !l.get("route").equals("models")), "scrapes are not counted");
    assertTrue(again.samples("jvm_memory_used_bytes").size() > 0, "the JVM's meters are there too");
  }

  /** The samples of a Prometheus text exposition, parsed as the format defines them. */
  record Scrape(List<Sample> all) {
    record Sample(String name, Map<String, String> labels, double value) {}

    static Scrape parse(String text) {
      List<Sample> samples = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        String name;
        Map<String, String> labels = new HashMap<>();
        if (brace >= 0 && brace < space) {
          name = line.substring(0, brace);
          int end = labels(line, brace + 1, labels);
          space = line.indexOf(' ', end);
        } else {
          name = line.substring(0, line.indexOf(' '));
          space = line.indexOf(' ');
        }
        String value = line.substring(space + 1).trim().split(" ")[0];
        samples.add(new Sample(name, labels, value.equals("+Inf") ? Double.POSITIVE_INFINITY
            : value.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(value)));
      }
      return new Scrape(samples);
    }

    /** Reads {@code a="x",b="y"}} from {@code from}; returns the index after the closing brace. */
    private static int labels(String line, int from, Map<String, String> into) {
      int i = from;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq);
        StringBuilder value = new StringBuilder();
        i = eq + 2; // past ="
        while (line.charAt(i) != '"') {
          char c = line.charAt(i);
          if (c == '\\') {
            char next = line.charAt(++i);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
          i++;
        }
        into.put(key, value.toString());
        i++; // past the closing quote
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      return i + 1;
    }

    List<Sample> samples(String name) {
      return all.stream().filter(s -> s.name().equals(name)).toList();
    }

    double sum(String name, Predicate<Map<String, String>> labels) {
      return samples(name).stream().filter(s -> labels.test(s.labels())).mapToDouble(Sample::value).sum();
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels}; fails if not one. */
    double value(String name, Map<String, String> labels) {
      List<Sample> matching = samples(name).stream()
          .filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).toList();
      assertEquals(1, matching.size(), name + labels + " in " + samples(name));
      return matching.get(0).value();
    }
  }
}
