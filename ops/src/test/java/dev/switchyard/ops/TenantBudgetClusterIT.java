package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.journal.LocalPostgres;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's daily budget is exact across a real cluster: three {@code switchyard serve --config FILE --profile
 * cluster} JVMs on one PostgreSQL journal of the test's own ({@link LocalPostgres}), with API keys that
 * {@code switchyard keys create} made (a tenant's and an admin's, their sha256 in the configuration), one model
 * pointed at a local mock upstream ({@link MockUpstreams}) that answers every call after {@link #UPSTREAM_LATENCY}
 * with a known usage (11 tokens in, 7 out), priced so that a call costs {@link #CALL_USD}, and the tenant's
 * {@code budget-usd-per-day} = {@link #BUDGET_USD}: room for 40 calls.
 *
 * <p>{@link #REQUESTS} chat completions with the tenant's Bearer key are sent at once, spread round-robin over the
 * three nodes' HTTP ports, so every node's queries reserve with the one ledger entity of the tenant, wherever
 * sharding put it. Checked: every answer is 200 (with the mock's answer) or 402 {@code budget_exhausted} naming the
 * tenant and {@code budget-usd-per-day}; none is 5xx or anything else; both kinds occur; the tenant's spend, read
 * from every node's {@code GET /admin/dashboard} (admin key) while the load runs and after it, never exceeds the
 * budget (the estimates reserved, max_tokens priced, exceed the real cost, so budget plus reservations in flight
 * bound it with room to spare); after the load the spend equals the answered calls at their real cost (each billed
 * once) and the mock got one call per answered request; a request without a key is 401 on every node. The figures
 * go to {@code target/tenant-budget-cluster.json} and stdout ({@code TENANT-BUDGET-ROW}), the row of
 * docs/BENCHMARKS.md.
 *
 * <p>Run alone: {@code mvn -B -o -pl ops -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=TenantBudgetClusterIT}.
 */
class TenantBudgetClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NODES = 3;
  private static final int REQUESTS = 200;
  private static final double INPUT_PER_MTOK = 1000;
  private static final double OUTPUT_PER_MTOK = 2000;
  private static final int PROMPT_TOKENS = 11;
  private static final int COMPLETION_TOKENS = 7;
  private static final double CALL_USD = (PROMPT_TOKENS * INPUT_PER_MTOK + COMPLETION_TOKENS * OUTPUT_PER_MTOK) / 1e6;
  private static final double BUDGET_USD = 1.0;
  private static final Duration UPSTREAM_LATENCY = Duration.ofMillis(50);
  private static final String TENANT = "acme";

  @TempDir
  Path dir;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final MockUpstreams mocks = new MockUpstreams();
  private final List<ServeProcess> nodes = new ArrayList<>();
  private LocalPostgres postgres;

  @AfterEach
  void stopAll() throws Exception {
    for (ServeProcess node : nodes) {
      node.close();
    }
    mocks.close();
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void concurrentRequestsOverThreeNodesNeverSpendMoreThanTheTenantsBudget() throws Exception {
    String upstream = mocks.start("small", (exchange, request) -> {
      Thread.sleep(UPSTREAM_LATENCY.toMillis());
      byte[] body = JSON.writeValueAsBytes(Map.of("id", "cmpl-1", "object", "chat.completion", "model", "small",
          "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
              "message", Map.of("role", "assistant", "content", "four"))),
          "usage", Map.of("prompt_tokens", PROMPT_TOKENS, "completion_tokens", COMPLETION_TOKENS,
              "total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS)));
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    });
    StringBuilder keys = new StringBuilder();
    String tenantKey = KeysCommandTest.createKey(keys, "--tenant", TENANT);
    String adminKey = KeysCommandTest.createKey(keys, "--admin", "ops");
    KeysCommandTest.createIdSecret(keys);
    String config = """
        switchyard.models {
          small {
            base-url = "%s"
            price { input-per-mtok = %s, output-per-mtok = %s }
            # the whole load may queue at one node: none of it is to be refused as overload
            concurrency = 64
            max-queue = 256
          }
        }
        switchyard.tenants { %s { budget-usd-per-day = %s } }
        """.formatted(upstream, INPUT_PER_MTOK, OUTPUT_PER_MTOK, TENANT, BUDGET_USD) + keys;
    Path file = dir.resolve("fleet.conf");
    Files.writeString(file, config);

    startCluster(file);

    // A request without a key is refused on every node.
    for (ServeProcess node : nodes) {
      HttpResponse<String> r = post(node, null, chat());
      assertEquals(401, r.statusCode(), r.body());
      assertEquals("missing_api_key", JSON.readTree(r.body()).at("/error/code").asText(), r.body());
    }

    // While the load runs, the spend every node reports stays within the budget.
    AtomicBoolean loading = new AtomicBoolean(true);
    List<Double> sampled = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
      int i = 0;
      while (loading.get()) {
        try {
          sampled.add(spent(nodes.get(i++ % NODES), adminKey));
          Thread.sleep(100);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });

    String body = JSON.writeValueAsString(chat());
    long start = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      sent.add(client.sendAsync(request(nodes.get(i % NODES), tenantKey, body),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    double seconds = (System.nanoTime() - start) / 1e9;
    loading.set(false);
    sampler.join();

    int answered = 0;
    int refused = 0;
    Map<Integer, Integer> byStatus = new TreeMap<>();
    String refusal = null;
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      HttpResponse<String> r = f.join();
      byStatus.merge(r.statusCode(), 1, Integer::sum);
      if (r.statusCode() == 200) {
        answered++;
        assertEquals("four", JSON.readTree(r.body()).at("/choices/0/message/content").asText(), r.body());
      } else if (r.statusCode() == 402) {
        refused++;
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals("budget_exhausted", error.path("code").asText(), r.body());
        assertEquals("insufficient_quota", error.path("type").asText(), r.body());
        assertEquals("budget-usd-per-day", error.path("param").asText(), r.body());
        assertTrue(error.path("message").asText().contains("tenant " + TENANT + " reached its budget-usd-per-day"),
            r.body());
        refusal = r.body();
      }
    }
    double spent = spent(nodes.get(0), adminKey);
    List<Double> perNode = new ArrayList<>();
    for (ServeProcess node : nodes) {
      perNode.add(spent(node, adminKey));
    }
    double maxSampled = sampled.stream().mapToDouble(Double::doubleValue).max().orElse(0);

    ObjectNode figures = JSON.createObjectNode();
    figures.put("nodes", NODES).put("requests", REQUESTS).put("answered_200", answered).put("refused_402", refused)
        .put("budget_usd_per_day", BUDGET_USD).put("call_usd", CALL_USD).put("spent_usd", spent)
        .put("max_spent_sampled_during_load_usd", maxSampled).put("samples", sampled.size())
        .put("upstream_calls", mocks.calls("small")).put("seconds", seconds);
    figures.putPOJO("by_status", byStatus);
    figures.putPOJO("spent_usd_per_node", perNode);
    figures.put("refusal_body", refusal);
    Path results = Path.of("target", "tenant-budget-cluster.json");
    Files.createDirectories(results.toAbsolutePath().getParent());
    Files.writeString(results, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(figures));
    System.out.println("tenant budget on " + NODES + " nodes: " + figures);
    System.out.printf("TENANT-BUDGET-ROW | %d nodes | %d | %d | %d | %.6f | %.6f | %.6f | %.1f s |%n", NODES,
        REQUESTS, answered, refused, BUDGET_USD, spent, maxSampled, seconds);

    assertEquals(Map.of(200, answered, 402, refused), byStatus, "only 200 and 402 answers: " + byStatus);
    assertTrue(answered > 0, "some requests must fit in the budget");
    assertTrue(refused > 0, "the load must exceed the budget, or the test shows nothing");
    assertFalse(sampled.isEmpty(), "the spend was never sampled during the load");
    assertTrue(maxSampled <= BUDGET_USD + 1e-9, "spend seen during the load " + maxSampled + " > " + BUDGET_USD);
    assertTrue(spent <= BUDGET_USD + 1e-9, "spent " + spent + " > budget " + BUDGET_USD);
    for (double s : perNode) {
      assertEquals(spent, s, 1e-9, "every node reads the one ledger: " + perNode);
    }
    assertEquals(answered * CALL_USD, spent, 1e-9, "each answered call billed once at its real cost");
    assertEquals(answered, mocks.calls("small"), "a refused request must not reach the upstream");
  }

  private void startCluster(Path config) throws Exception {
    postgres = LocalPostgres.start(Map.of());
    List<Integer> remoting = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      remoting.add(ServeProcess.freePort());
    }
    String seeds = "pekko://switchyard@127.0.0.1:" + remoting.get(0) + ",pekko://switchyard@127.0.0.1:"
        + remoting.get(1);
    Path logs = Path.of("target", "tenant-budget-cluster").toAbsolutePath();
    for (int i = 0; i < NODES; i++) {
      Path state = dir.resolve("node-" + (i + 1));
      Files.createDirectories(state);
      nodes.add(ServeProcess.builder(state, null, logs.resolve("node-" + (i + 1) + ".log"))
          .clusterOn(postgres, remoting.get(i), seeds)
          .args("--config", config.toString())
          .start());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (ServeProcess node : nodes) {
        if (!node.process.isAlive()) {
          fail("a node exited during start; see " + node.log);
        }
        all &= membersUp(node) == NODES;
      }
      if (all) {
        return;
      }
      Thread.sleep(500);
    }
    fail("not " + NODES + " members Up on every node; see " + logs);
  }

  private int membersUp(ServeProcess node) throws InterruptedException {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.base() + "/ready"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()).path("node").path("members_up").asInt() : -1;
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  /** The tenant's spend today as {@code node}'s admin dashboard route reports it. */
  private double spent(ServeProcess node, String adminKey) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.base() + "/admin/dashboard"))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + adminKey).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    for (JsonNode tenant : JSON.readTree(r.body()).path("tenants")) {
      if (TENANT.equals(tenant.path("tenant").asText())) {
        return tenant.path("spent_today_usd").asDouble();
      }
    }
    fail("no tenant " + TENANT + " in " + r.body());
    return 0;
  }

  private static Map<String, Object> chat() {
    return Map.of("model", "small", "max_tokens", 16,
        "messages", List.of(Map.of("role", "user", "content", "What is 2 + 2?")));
  }

  private HttpRequest request(ServeProcess node, String key, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.base() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b.build();
  }

  private HttpResponse<String> post(ServeProcess node, String key, Object body) throws Exception {
    return client.send(request(node, key, JSON.writeValueAsString(body)), HttpResponse.BodyHandlers.ofString());
  }

}
