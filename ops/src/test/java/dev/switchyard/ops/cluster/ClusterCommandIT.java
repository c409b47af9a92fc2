package dev.switchyard.ops.cluster;

import static dev.switchyard.ops.SwitchyardCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.actors.journal.LocalPostgres;
import dev.switchyard.ops.SwitchyardCliTest.Run;
import dev.switchyard.ops.TinyDataset;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchyard cluster up / status / down} for real: three {@code serve --profile cluster} JVMs on loopback
 * and the PostgreSQL that {@code up} starts in the cluster's directory; a job accepted by one node is read from
 * another; {@code down} stops every node and the database, and a second {@code up} on the same directory finds
 * the job again in the kept journal.
 */
class ClusterCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int HTTP = 19500;
  private static final int REMOTING = 19600;
  private static final int POSTGRES = 19700;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void upStartsThreeNodesOnALocalPostgresStatusShowsThemAndDownStopsEverything(@TempDir Path tmp) throws Exception {
    // Not under the JUnit temp dir: that is private to its owner, and as root the PostgreSQL server runs as the
    // postgres user, which must reach its data directory.
    Path dir = Path.of("target", "cluster-it-" + System.nanoTime()).toAbsolutePath();
    Path data = TinyDataset.write(tmp.resolve("data"));
    String[] up = {"cluster", "up", "--nodes", "3", "--dir", dir.toString(), "--data", data.toString(),
        "--http-port", Integer.toString(HTTP), "--remoting-port", Integer.toString(REMOTING),
        "--postgres-port", Integer.toString(POSTGRES), "--timeout", "180s"};
    List<Long> pids = new ArrayList<>();
    try {
      Run started = run(up);
      assertEquals(0, started.exit(), started.out() + started.err());
      for (int k = 1; k <= 3; k++) {
        assertTrue(started.out().contains("node-" + k + " http://127.0.0.1:" + (HTTP + k - 1) + " pid "),
            started.out());
      }
      JsonNode status = JSON.readTree(run("cluster", "status", "--dir", dir.toString(), "--json").out());
      assertEquals("local", status.path("journal").path("kind").asText(), status.toString());
      assertEquals(3, status.path("nodes").size(), status.toString());
      for (JsonNode node : status.path("nodes")) {
        assertEquals("Up", node.path("state").asText(), status.toString());
        pids.add(node.path("pid").asLong());
        HttpResponse<String> chat = post(node.path("url").asText() + "/v1/chat/completions", Map.of("model",
            "switchyard/cascade", "messages", List.of(Map.of("role", "user", "content", TinyDataset.QUESTIONS.get(0)))),
            null);
        assertEquals(200, chat.statusCode(), node + ": " + chat.body());
      }
      dashboardSeesTheWholeCluster("http://127.0.0.1:" + HTTP);

      HttpResponse<String> accepted = post("http://127.0.0.1:" + HTTP + "/v1/jobs", Map.of("model",
          "switchyard/cascade", "messages", List.of(Map.of("role", "user", "content", TinyDataset.QUESTIONS.get(1)))),
          "cluster-it-1");
      assertEquals(202, accepted.statusCode(), accepted.body());
      String job = JSON.readTree(accepted.body()).path("id").asText();
      assertEquals("succeeded", awaitEnd("http://127.0.0.1:" + (HTTP + 2), job), "read from node 3");

      Run down = run("cluster", "down", "--dir", dir.toString());
      assertEquals(0, down.exit(), down.out() + down.err());
      for (long pid : pids) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node pid " + pid + " runs");
      }
      assertFalse(LocalPostgres.kept(dir.resolve("postgres"), POSTGRES).running(), "the local PostgreSQL runs");
      JsonNode stopped = JSON.readTree(run("cluster", "status", "--dir", dir.toString(), "--json").out());
      for (JsonNode node : stopped.path("nodes")) {
        assertEquals("stopped", node.path("state").asText(), stopped.toString());
      }

      Run again = run(up);
      assertEquals(0, again.exit(), again.out() + again.err());
      assertEquals("succeeded", awaitEnd("http://127.0.0.1:" + (HTTP + 1), job), "the kept journal has the job");
    } finally {
      run("cluster", "down", "--dir", dir.toString());
    }
  }

  /**
   * The dashboard's snapshot of one node shows the cluster: three members Up and reachable, the pools of both
   * models wherever they run, and every pipeline's learner and shadow singletons answering.
   */
  private void dashboardSeesTheWholeCluster(String base) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode snapshot = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/admin/dashboard"))
          .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      snapshot = JSON.readTree(r.body());
      if (snapshot.path("pools").size() == 2) {
        break;
      }
      Thread.sleep(250);
    }
    JsonNode members = snapshot.path("cluster").path("members");
    assertEquals(3, members.size(), snapshot.path("cluster").toString());
    for (JsonNode m : members) {
      assertEquals("Up", m.path("status").asText(), m.toString());
      assertTrue(m.path("reachable").asBoolean(), m.toString());
    }
    List<String> pools = new ArrayList<>();
    snapshot.path("pools").forEach(p -> pools.add(p.path("model").asText()));
    assertEquals(List.of("big", "small"), pools, snapshot.path("pools").toString());
    for (JsonNode learner : snapshot.path("learners")) {
      assertTrue(learner.path("error").isNull(), learner.toString());
    }
  }

  private HttpResponse<String> post(String url, Object body, String idempotencyKey) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String awaitEnd(String base, String job) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    String status = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + job))
          .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        status = JSON.readTree(r.body()).path("status").asText();
        if (List.of("succeeded", "failed", "cancelled").contains(status)) {
          return status;
        }
      }
      Thread.sleep(250);
    }
    return "not ended: " + status;
  }
}
