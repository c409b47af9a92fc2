package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchyard.ops.ClusterUnderLoad.Node;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner singleton handed over under load, on PostgreSQL: three {@code switchyard serve --profile cluster}
 * JVMs ({@link ClusterUnderLoad}), chat completions on {@code switchyard/bandit} (a UCB1 learned from every answered
 * query's recorded correctness) from four client threads through the two nodes that stay, while the node that hosts
 * the learner (the oldest member; its log names it) leaves with SIGTERM, halfway through.
 *
 * <p>Checked: every answered query was learned exactly once, across the two incarnations of the learner (its
 * journal, {@code learner|switchyard/bandit}, holds one {@code EpisodeLearned} per answered query id, none twice,
 * none of a query that was not answered); the learner's episode count at the end equals the answered queries; the
 * policy as the survivors report it, polled throughout ({@code GET /admin/pipelines/{name}/policy}), never went
 * back a version, for the learner or for a node's board; and at the end every survivor's board, read locally from
 * its copy of the replicated policy register, acts on the learner's last version with the same fingerprint of
 * its parameters.
 *
 * <p>Run alone: {@code mvn -B -o -pl ops -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=LearnerHandoverIT}.
 */
class LearnerHandoverIT {
  private static final String PIPELINE = "switchyard/bandit";
  private static final String POLICY_PATH = "/admin/pipelines/switchyard%2Fbandit/policy";
  private static final Duration LOAD_BEFORE = Duration.ofSeconds(8);
  private static final Duration LOAD_AFTER = Duration.ofSeconds(12);
  private static final int CLIENTS = 4;

  @TempDir
  static Path dir;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void theLearnerMovesUnderLoadWithoutLosingOrRelearningAnEpisode() throws Exception {
    try (ClusterUnderLoad cluster = ClusterUnderLoad.builder("learner-handover", dir).latencyScale(1).start()) {
      Node host = learnerHost(cluster);
      List<Node> staying = cluster.nodes().stream().filter(n -> n != host).toList();
      System.out.printf("learner-handover: the learner runs on %s; load through %s%n", host.name(),
          staying.stream().map(Node::name).toList());

      Map<String, Integer> answered = new ConcurrentHashMap<>();
      List<String> failures = new CopyOnWriteArrayList<>();
      List<long[]> seen = new CopyOnWriteArrayList<>(); // {node, learner version, board version}
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.add(pool.submit(() -> ask(staying.get(client % staying.size()), client, stop, answered, failures)));
      }
      Future<?> poller = pool.submit(() -> poll(staying, stop, seen));

      Thread.sleep(LOAD_BEFORE.toMillis());
      int beforeLeave = answered.size();
      long leftAt = System.nanoTime();
      int exit = host.terminate(Duration.ofSeconds(60));
      double leaveSeconds = (System.nanoTime() - leftAt) / 1e9;
      Node newHost = awaitNewLearnerHost(cluster, host, Duration.ofSeconds(60));
      Thread.sleep(LOAD_AFTER.toMillis());
      stop.set(true);
      for (Future<?> f : clients) {
        f.get(60, TimeUnit.SECONDS);
      }
      poller.get(60, TimeUnit.SECONDS);
      pool.shutdown();

      JsonNode last = awaitQuiescent(staying, answered.size(), Duration.ofSeconds(60));
      Map<String, Integer> learned = learnedQueryIds(cluster);
      List<String> twice = learned.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
      List<String> neverLearned = answered.keySet().stream().filter(id -> !learned.containsKey(id)).toList();
      List<String> notAnswered = learned.keySet().stream().filter(id -> !answered.containsKey(id)
          && !id.startsWith("warm")).toList();
      List<String> wentBack = wentBack(seen);
      System.out.printf("learner-handover: %d queries answered (%d before %s left with SIGTERM, exit %d in %.1f s;"
              + " the learner moved to %s), %d failed; journal: %d episodes learned, %d twice, %d answered but never"
              + " learned, %d learned but not answered here; %d policy readings, went back %d times; at the end"
              + " learner v%d with %d episodes, fingerprint %s%n", answered.size(), beforeLeave, host.name(), exit,
          leaveSeconds, newHost.name(), failures.size(), learned.size(), twice.size(), neverLearned.size(),
          notAnswered.size(), seen.size(), wentBack.size(), last.at("/learner/version").asLong(),
          last.at("/learner/episodes").asLong(), last.at("/learner/fingerprint").asText());
      failures.stream().limit(5).forEach(f -> System.out.println("learner-handover failure: " + f));

      assertTrue(beforeLeave > 0 && answered.size() > beforeLeave, "queries answered before and after the leave");
      assertEquals(143, exit, host.name() + " did not leave as serve does on SIGTERM (ServeShutdownTest)");
      assertTrue(failures.isEmpty(), "every query through the staying nodes is answered: " + failures);
      assertEquals(List.of(), twice, "episodes learned twice");
      assertEquals(List.of(), neverLearned, "answered queries whose episode was lost");
      assertEquals(List.of(), notAnswered, "episodes of queries nobody answered");
      assertEquals(learned.size(), last.at("/learner/episodes").asLong(), "the learner's episodes are its journal's");
      assertEquals(List.of(), wentBack, "a reported policy version went back");
      for (Node node : staying) {
        JsonNode policy = policy(node);
        assertEquals(last.at("/learner/version").asLong(), policy.at("/node/version").asLong(),
            node.name() + "'s board: " + policy);
        assertEquals(last.at("/learner/fingerprint").asText(), policy.at("/learner/fingerprint").asText());
      }
    }
  }

  /** Closed loop: one chat completion after another to {@code node} until {@code stop}. */
  private void ask(Node node, int clientNo, AtomicBoolean stop, Map<String, Integer> answered,
      List<String> failures) {
    Random random = new Random(clientNo);
    int n = 0;
    while (!stop.get()) {
      String question = TinyDataset.QUESTIONS.get(random.nextInt(TinyDataset.QUESTIONS.size()));
      String body = "{\"model\":\"" + PIPELINE + "\",\"messages\":[{\"role\":\"user\",\"content\":"
          + ClusterUnderLoad.JSON.valueToTree(question) + "}]}";
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.base + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() == 200) {
          answered.put(ClusterUnderLoad.JSON.readTree(r.body()).at("/switchyard/query_id").asText(), node.index);
        } else {
          failures.add(node.name() + " #" + n + ": " + r.statusCode() + " " + r.body());
        }
      } catch (IOException e) {
        failures.add(node.name() + " #" + n + ": " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      n++;
    }
  }

  /** Reads every staying node's policy report every 200 ms until {@code stop}. */
  private void poll(List<Node> nodes, AtomicBoolean stop, List<long[]> seen) {
    while (!stop.get()) {
      for (Node node : nodes) {
        try {
          JsonNode p = tryPolicy(node);
          if (p != null) {
            seen.add(new long[] {node.index, p.at("/learner/version").asLong(), p.at("/node/version").asLong()});
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Readings, per node in the order taken, where the learner's or the board's version was below an earlier one. */
  private static List<String> wentBack(List<long[]> seen) {
    Map<Long, long[]> highest = new HashMap<>();
    List<String> back = new ArrayList<>();
    for (long[] s : seen) {
      long[] h = highest.computeIfAbsent(s[0], k -> new long[] {-1, -1});
      if (s[1] < h[0] || s[2] < h[1]) {
        back.add("node " + (s[0] + 1) + ": learner v" + s[1] + " after v" + h[0] + ", board v" + s[2] + " after v"
            + h[1]);
      }
      h[0] = Math.max(h[0], s[1]);
      h[1] = Math.max(h[1], s[2]);
    }
    return back;
  }

  /**
   * Once the learner has learned every answered query and every staying node's board acts on its version: the last
   * report read.
   */
  private JsonNode awaitQuiescent(List<Node> nodes, int answered, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      boolean settled = true;
      for (Node node : nodes) {
        last = tryPolicy(node);
        settled &= last != null && last.at("/learner/episodes").asLong() >= answered
            && last.at("/node/version").asLong() == last.at("/learner/version").asLong();
      }
      if (settled) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the learner and the boards did not settle on " + answered + " episodes within "
        + bound + "; last report: " + last);
  }

  private JsonNode policy(Node node) throws Exception {
    JsonNode p = tryPolicy(node);
    assertTrue(p != null, node.name() + " did not report the policy");
    return p;
  }

  private JsonNode tryPolicy(Node node) throws InterruptedException {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.base + POLICY_PATH))
          .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? ClusterUnderLoad.JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null; // a hand-over in progress: the learner's reply timed out
    }
  }

  /** How many times each query id was learned: the learner's journal, both incarnations. */
  private static Map<String, Integer> learnedQueryIds(ClusterUnderLoad cluster) throws Exception {
    Map<String, Integer> learned = new HashMap<>();
    try (Connection c = cluster.journal().connect();
         PreparedStatement st = c.prepareStatement("SELECT \"event_ser_manifest\", \"event_payload\" FROM "
             + "\"event_journal\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\"")) {
      st.setString(1, "learner|" + PIPELINE);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          if (rs.getString(1).endsWith("EpisodeLearned")) {
            String id = ClusterUnderLoad.JSON.readTree(JournalAudit.payload(rs.getBytes(2)))
                .at("/episode/queryId").asText();
            learned.merge(id, 1, Integer::sum);
          }
        }
      }
    }
    assertTrue(!learned.isEmpty(), "the learner's journal holds no episode: nothing was learned");
    return learned;
  }

  /** The node whose log shows it started the learner singleton (the oldest member). */
  private static Node learnerHost(ClusterUnderLoad cluster) throws Exception {
    for (Node node : cluster.nodes()) {
      if (startedTheLearner(node)) {
        return node;
      }
    }
    throw new AssertionError("no node's log shows the learner singleton of " + PIPELINE + " starting");
  }

  private static Node awaitNewLearnerHost(ClusterUnderLoad cluster, Node old, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      for (Node node : cluster.nodes()) {
        if (node != old && startedTheLearner(node)) {
          return node;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the learner singleton did not start on another node within " + bound);
  }

  private static boolean startedTheLearner(Node node) throws IOException {
    return node.logs().lines().anyMatch(l -> l.contains("starting singleton actor")
        && l.contains("learner-" + URLEncoder.encode(PIPELINE, StandardCharsets.UTF_8)));
  }
}
