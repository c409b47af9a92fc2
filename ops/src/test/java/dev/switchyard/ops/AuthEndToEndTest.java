package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys on a real {@code serve --config FILE} JVM (logging at DEBUG) in front of two OpenAI-compatible mock
 * upstreams that take only their own API key, with two tenants (acme limited to {@code small} and {@code bandit},
 * beta unlimited) and an admin, whose keys {@code switchyard keys create} made. Shown: /v1 needs a tenant's key
 * (401 with {@code WWW-Authenticate} without one, with a malformed one, with an unknown one), a model outside the
 * allow-list is 403 and {@code /v1/models} lists only the allowed; /health, /ready, /metrics stay open; /admin
 * takes only the admin key; a tenant rates only its own queries and sees, cancels and rates only its own jobs
 * (404 otherwise); one Idempotency-Key is one job per tenant. At the end, neither the node's whole log nor any
 * response body holds a key (the tenants', the admin's, the wrong and the malformed ones, the upstreams') or the
 * prompt's marker.
 */
class AuthEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String UPSTREAM_KEY = "upstream-key-" + UUID.randomUUID();
  private static final String WRONG_KEY = "sy-wrong-" + UUID.randomUUID();
  private static final String MALFORMED = "sy-malformed-" + UUID.randomUUID();
  private static final String PROMPT_MARKER = "prompt-marker-" + UUID.randomUUID();

  @TempDir
  static Path dir;

  private static final MockUpstreams MOCKS = new MockUpstreams();
  /** What the upstreams received: the Authorization headers and the prompts. */
  private static final Set<String> UPSTREAM_AUTH = ConcurrentHashMap.newKeySet();
  private static final List<String> UPSTREAM_PROMPTS = new CopyOnWriteArrayList<>();
  /** Every response body the test got. */
  private static final List<String> BODIES = new CopyOnWriteArrayList<>();
  private static String acmeKey;
  private static String betaKey;
  private static String adminKey;
  private static ServeProcess serve;

  @BeforeAll
  static void start() throws Exception {
    String small = MOCKS.start("small", (exchange, request) -> answer(exchange, request, "small"));
    String large = MOCKS.start("large", (exchange, request) -> answer(exchange, request, "large"));
    StringBuilder auth = new StringBuilder();
    acmeKey = create(auth, "--tenant", "acme");
    betaKey = create(auth, "--tenant", "beta");
    adminKey = create(auth, "--admin", "ops");
    KeysCommandTest.createIdSecret(auth);
    String config = """
        switchyard.models {
          small { base-url = "%1$s", api-key = "%3$s", price { input-per-mtok = 1, output-per-mtok = 2 } }
          large { base-url = "%2$s", api-key = "%3$s", price { input-per-mtok = 5, output-per-mtok = 15 } }
        }
        switchyard.pipelines { bandit { strategy = ucb1, models = [small, large] } }
        switchyard.tenants { acme { models = [small, bandit] }, beta {} }
        """.formatted(small, large, UPSTREAM_KEY) + auth;
    serve = ServeProcess.builder(dir.resolve("state"), null, dir.resolve("serve.log"))
        .env("SWITCHYARD_LOG_LEVEL", "DEBUG")
        .args("--config", write(config).toString())
        .start()
        .awaitReady(Duration.ofSeconds(120));
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    MOCKS.close();
  }

  /** A key made by {@code switchyard keys create}; its configuration line goes into {@code config}. */
  private static String create(StringBuilder config, String kind, String name) {
    SwitchyardCliTest.Run r = SwitchyardCliTest.run("keys", "create", kind, name);
    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).matches("sy-[A-Za-z0-9_-]{43}"), r.out());
    assertFalse(lines.get(2).contains(lines.get(0)), "the configuration holds the hash, not the key");
    config.append(lines.get(2)).append('\n');
    return lines.get(0);
  }

  private static Path write(String config) throws IOException {
    Path file = dir.resolve("fleet.conf");
    java.nio.file.Files.writeString(file, config);
    return file;
  }

  private static void answer(HttpExchange exchange, JsonNode request, String model) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    UPSTREAM_AUTH.add(String.valueOf(authorization));
    UPSTREAM_PROMPTS.add(request.path("messages").toString());
    boolean ok = ("Bearer " + UPSTREAM_KEY).equals(authorization);
    byte[] body = (ok ? JSON.writeValueAsString(Map.of("id", "cmpl-1", "object", "chat.completion", "model", model,
        "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
            "message", Map.of("role", "assistant", "content", "four, says " + model))),
        "usage", Map.of("prompt_tokens", 11, "completion_tokens", 7, "total_tokens", 18)))
        : "{\"error\":{\"message\":\"bad upstream key\"}}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
    exchange.getResponseBody().write(body);
  }

  private static HttpResponse<String> send(String method, String path, String authorization, String body,
      Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(serve.base() + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    headers.forEach(b::header);
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    BODIES.add(r.body());
    return r;
  }

  private static HttpResponse<String> get(String path, String key) throws Exception {
    return send("GET", path, key == null ? null : "Bearer " + key, null, Map.of());
  }

  private static HttpResponse<String> post(String path, String key, Object body) throws Exception {
    return send("POST", path, key == null ? null : "Bearer " + key, JSON.writeValueAsString(body), Map.of());
  }

  private static Map<String, Object> chat(String model, String question) {
    return Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", question)));
  }

  private static String code(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body()).at("/error/code").asText();
  }

  @Test
  void withoutAValidTenantKeyTheApiAnswers401AndNamesOnlyWhatWasWrong() throws Exception {
    String body = JSON.writeValueAsString(chat("small", "What is 2 + 2? " + PROMPT_MARKER));
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("none", "missing_api_key");
    expected.put("Bearer " + WRONG_KEY, "invalid_api_key");
    // pekko-http cannot parse these (two tokens; a scheme with bytes token68 does not allow): raw headers
    expected.put("Bearer " + MALFORMED + " " + MALFORMED, "invalid_authorization_header");
    expected.put("Basic " + MALFORMED + "\"==", "invalid_authorization_header");
    expected.put(MALFORMED, "invalid_authorization_header");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      HttpResponse<String> r = send("POST", "/v1/chat/completions", e.getKey().equals("none") ? null : e.getKey(),
          body, Map.of());
      assertEquals(401, r.statusCode(), e.getKey() + ": " + r.body());
      assertEquals(e.getValue(), code(r), r.body());
      assertEquals("authentication_error", JSON.readTree(r.body()).at("/error/type").asText());
      assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), r.headers().toString());
    }
    assertEquals(401, get("/v1/models", null).statusCode());
    assertEquals(401, get("/v1/jobs/job-1", WRONG_KEY).statusCode());
    assertEquals(401, post("/v1/feedback", null, Map.of("query_id", "chatcmpl-x", "reward", 1)).statusCode());
    assertEquals(401, get("/v1/no-such-route", null).statusCode(), "no route is told to a caller without a key");
    assertEquals(403, get("/v1/models", adminKey).statusCode(), "an admin key is not a tenant's");
    assertEquals("tenant_key_required", code(get("/v1/models", adminKey)));
  }

  @Test
  void healthReadinessAndMetricsStayOpen() throws Exception {
    assertEquals(200, get("/health", null).statusCode());
    assertEquals(200, get("/ready", null).statusCode());
    assertEquals(200, get("/metrics", null).statusCode());
  }

  @Test
  void aTenantCallsOnlyWhatItsAllowListNamesAndSeesOnlyThat() throws Exception {
    HttpResponse<String> ok = post("/v1/chat/completions", acmeKey, chat("small", "What is 2 + 2? " + PROMPT_MARKER));
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("four, says small", JSON.readTree(ok.body()).at("/choices/0/message/content").asText());
    assertTrue(UPSTREAM_AUTH.contains("Bearer " + UPSTREAM_KEY), "the upstream got its own key: " + UPSTREAM_AUTH);
    assertTrue(UPSTREAM_PROMPTS.stream().anyMatch(p -> p.contains(PROMPT_MARKER)), "the prompt reached it");

    HttpResponse<String> refused = post("/v1/chat/completions", acmeKey, chat("large", "hi"));
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals("model_not_allowed", code(refused));
    assertEquals(403, send("POST", "/v1/jobs", "Bearer " + acmeKey, JSON.writeValueAsString(chat("large", "hi")),
        Map.of()).statusCode(), "a job too");
    assertEquals(200, post("/v1/chat/completions", betaKey, chat("large", "hi")).statusCode(), "beta may");

    assertEquals(Set.of("small", "bandit"), models(acmeKey));
    assertTrue(models(betaKey).containsAll(Set.of("small", "large", "bandit")), models(betaKey).toString());
  }

  private static Set<String> models(String key) throws Exception {
    HttpResponse<String> r = get("/v1/models", key);
    assertEquals(200, r.statusCode(), r.body());
    Set<String> ids = new TreeSet<>();
    JSON.readTree(r.body()).path("data").forEach(m -> ids.add(m.path("id").asText()));
    return ids;
  }

  @Test
  void adminRoutesTakeOnlyAnAdminKey() throws Exception {
    assertEquals(401, get("/admin/pipelines/bandit/policy", null).statusCode());
    HttpResponse<String> tenant = get("/admin/pipelines/bandit/policy", acmeKey);
    assertEquals(403, tenant.statusCode(), tenant.body());
    assertEquals("admin_key_required", code(tenant));
    HttpResponse<String> admin = get("/admin/pipelines/bandit/policy", adminKey);
    assertEquals(200, admin.statusCode(), admin.body());
    assertEquals("bandit", JSON.readTree(admin.body()).path("pipeline").asText());
  }

  @Test
  void onlyTheTenantThatAskedAQueryRatesIt() throws Exception {
    HttpResponse<String> asked = post("/v1/chat/completions", acmeKey, chat("bandit", "Name a prime."));
    assertEquals(200, asked.statusCode(), asked.body());
    String id = JSON.readTree(asked.body()).path("id").asText();
    assertTrue(id.matches("chatcmpl-[0-9a-f]{32}"), "a random id: " + id);

    HttpResponse<String> other = post("/v1/feedback", betaKey, Map.of("query_id", id, "reward", 0));
    assertEquals(404, other.statusCode(), other.body());
    assertEquals("not_found", code(other));
    HttpResponse<String> none = post("/v1/feedback", betaKey, Map.of("query_id", "chatcmpl-nothing", "reward", 0));
    assertEquals(404, none.statusCode(), none.body());
    assertEquals(JSON.readTree(none.body()).at("/error/message").asText().replace("chatcmpl-nothing", id),
        JSON.readTree(other.body()).at("/error/message").asText(), "another's query reads as no query at all");

    HttpResponse<String> own = post("/v1/feedback", acmeKey, Map.of("query_id", id, "reward", 1));
    assertEquals(200, own.statusCode(), own.body());
    assertEquals("accepted", JSON.readTree(own.body()).path("status").asText());
  }

  @Test
  void anIdempotencyKeyIsOneJobPerTenantAndATenantSeesCancelsAndRatesOnlyItsOwn() throws Exception {
    String body = JSON.writeValueAsString(chat("small", "Summarise: " + PROMPT_MARKER));
    HttpResponse<String> first = send("POST", "/v1/jobs", "Bearer " + acmeKey, body, Map.of("Idempotency-Key",
        "report-42"));
    assertEquals(202, first.statusCode(), first.body());
    String acmeJob = JSON.readTree(first.body()).path("id").asText();
    HttpResponse<String> again = send("POST", "/v1/jobs", "Bearer " + acmeKey, body, Map.of("Idempotency-Key",
        "report-42"));
    assertEquals(202, again.statusCode(), again.body());
    assertEquals(acmeJob, JSON.readTree(again.body()).path("id").asText(), "one tenant twice: one job");
    assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
    HttpResponse<String> beta = send("POST", "/v1/jobs", "Bearer " + betaKey, body, Map.of("Idempotency-Key",
        "report-42"));
    assertEquals(202, beta.statusCode(), beta.body());
    String betaJob = JSON.readTree(beta.body()).path("id").asText();
    assertNotEquals(acmeJob, betaJob, "the same key by two tenants: two jobs");
    assertTrue(beta.headers().firstValue("Idempotent-Replayed").isEmpty(), "a new job for beta");
    assertNotEquals("job-" + java.util.HexFormat.of().formatHex(dev.switchyard.ops.http.ApiKeys.sha256(
        "idempotency-key:report-42"), 0, 20), acmeJob, "not computable from the key alone");

    for (HttpResponse<String> r : List.of(get("/v1/jobs/" + acmeJob, betaKey),
        send("DELETE", "/v1/jobs/" + acmeJob, "Bearer " + betaKey, null, Map.of()),
        get("/v1/jobs/" + acmeJob + "/events", betaKey),
        post("/v1/feedback", betaKey, Map.of("job_id", acmeJob, "reward", 0)))) {
      assertEquals(404, r.statusCode(), r.request().method() + " " + r.request().uri() + ": " + r.body());
      assertEquals("no job " + acmeJob, JSON.readTree(r.body()).at("/error/message").asText(), r.body());
    }
    JsonNode done = awaitEnded(acmeJob, acmeKey);
    assertEquals("succeeded", done.path("status").asText(), done.toString());
    HttpResponse<String> rated = post("/v1/feedback", acmeKey, Map.of("job_id", acmeJob, "reward", 1));
    assertEquals(200, rated.statusCode(), rated.body());
    assertEquals(200, get("/v1/jobs/" + betaJob, betaKey).statusCode());
  }

  private static JsonNode awaitEnded(String job, String key) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      HttpResponse<String> r = get("/v1/jobs/" + job, key);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode node = JSON.readTree(r.body());
      String status = node.path("status").asText();
      if (!status.equals("queued") && !status.equals("running") || System.nanoTime() > until) {
        return node;
      }
      Thread.sleep(100);
    }
  }

  /**
   * Runs the flows above itself (test order is not fixed), then scans the node's whole log (DEBUG) and every
   * response body the class has received.
   */
  @Test
  void noKeyAndNoPromptReachesTheLogOrAnyResponseBody() throws Exception {
    withoutAValidTenantKeyTheApiAnswers401AndNamesOnlyWhatWasWrong();
    aTenantCallsOnlyWhatItsAllowListNamesAndSeesOnlyThat();
    adminRoutesTakeOnlyAnAdminKey();
    onlyTheTenantThatAskedAQueryRatesIt();
    HttpResponse<String> job = send("POST", "/v1/jobs", "Bearer " + acmeKey, JSON.writeValueAsString(chat("small",
        "Summarise: " + PROMPT_MARKER)), Map.of());
    assertEquals(202, job.statusCode(), job.body());
    awaitEnded(JSON.readTree(job.body()).path("id").asText(), acmeKey);
    String log = serve.output();
    assertTrue(log.contains(" DEBUG "), "the node logged at DEBUG: " + serve.tail(5));
    List<String> leaks = new ArrayList<>();
    Map<String, String> secrets = Map.of("acme's key", acmeKey, "beta's key", betaKey, "the admin key", adminKey,
        "the wrong key", WRONG_KEY, "the malformed header's value", MALFORMED, "the upstream key", UPSTREAM_KEY,
        "the prompt's marker", PROMPT_MARKER);
    secrets.forEach((what, secret) -> {
      log.lines().filter(l -> l.contains(secret)).limit(3).forEach(l -> leaks.add(what + " in the log: " + l));
      BODIES.stream().filter(b -> b.contains(secret)).limit(3).forEach(b -> leaks.add(what + " in a body: " + b));
    });
    assertEquals(List.of(), leaks);
  }
}
