package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.actors.journal.LocalPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reliability scenarios T3-1 and T3-2 (reliability-plan.md): a real network partition of a real 3-node cluster.
 * Each {@code switchyard serve --profile cluster} JVM runs in a network namespace of its own ({@link
 * NetworkNamespaces}), its remoting and HTTP on its own address, all three on one journal, a PostgreSQL server of
 * the test's own in the root namespace that every namespace reaches over the bridge. iptables rules in the
 * namespaces drop packets between nodes for {@link #PARTITIONED_FOR} while durable 3-step jobs are submitted to
 * all three nodes (the minority too: a job it accepts before it downs itself must survive it), then the network
 * heals and every node that exited is started again in its namespace.
 *
 * <p>Checked for each {@link Partition}: exactly the nodes the split brain resolver is documented to down exit
 * while the network is cut (keep-majority: the minority; for a one-way cut, the two indirectly connected ends of
 * the cut link, the fully connected node stays), and the others stay up and go on accepting jobs while the network
 * is still cut; every job that got 202 Accepted from any node reaches a terminal state (none lost) and succeeds;
 * nothing is billed twice ({@link JobLedger}); in the journal no model call, step or job is recorded twice and no
 * entity is written by an old incarnation after a new one wrote (the same job processed on both sides); at least
 * one entity of a downed node resumed elsewhere (else the partition hit nothing); the restarted nodes are Up
 * members of the one cluster within {@link #REJOIN_BOUND} of the heal, and new jobs submitted to each of the three
 * nodes then succeed. The time from the cut to the last resumed entity is printed, not asserted: T2-1
 * (NodeKillIT) bounds the same path.
 *
 * <p>Needs root, {@code ip netns} and iptables (skipped otherwise, saying which is missing). Node logs go to
 * {@code target/chaos/<scenario>/}. Run alone: {@code mvn -B -o -pl ops -am verify -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=PartitionIT}.
 */
class PartitionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");
  private static final String PIPELINE = "switchyard/cascade";
  private static final int NODES = 3;
  private static final int STEPS_PER_JOB = 3;
  private static final int HTTP_PORT = 8080;
  private static final int REMOTING_PORT = 25520;
  private static final long SUBMIT_INTERVAL_MS = 200;
  /** Load before the cut, so that jobs are running on every node when it comes. */
  private static final Duration LOAD_BEFORE_CUT = Duration.ofSeconds(6);
  private static final Duration PARTITIONED_FOR = Duration.ofSeconds(30);
  private static final Duration REJOIN_BOUND = Duration.ofSeconds(60);
  private static final Duration DRAIN_BOUND = Duration.ofSeconds(120);

  /** The cut, and the nodes Pekko's split brain resolver (keep-majority) documents as downed by it. */
  enum Partition {
    /** T3-1: {n1, n2} and {n3} cannot reach each other at all; the minority, n3, downs itself. */
    TWO_ONE("T3-1", Set.of(3)),
    /**
     * T3-2: only packets from n1 to n3 are dropped. Over TCP that starves both directions of the n1-n3 link
     * (n3's data reaches n1, n1's acknowledgements never reach n3), so n1 and n3 each see the other unreachable
     * while n2 reaches both: both are indirectly connected, and the resolver keeps the fully connected n2 and
     * downs n1 and n3 ("down all the indirectly connected nodes", Pekko's split brain resolver documentation).
     */
    ONE_WAY("T3-2", Set.of(1, 3));

    final String scenario;
    final Set<Integer> downed;

    Partition(String scenario, Set<Integer> downed) {
      this.scenario = scenario;
      this.downed = downed;
    }

    void apply(NetworkNamespaces net) throws IOException {
      switch (this) {
        case TWO_ONE -> net.partition(List.of(1, 2), List.of(3));
        case ONE_WAY -> net.cut(1, 3);
      }
    }
  }

  @TempDir
  static Path dir;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<Integer, ServeProcess> nodes = new ConcurrentHashMap<>();
  private NetworkNamespaces net;
  private LocalPostgres postgres;

  @AfterEach
  void tearDown() throws Exception {
    for (ServeProcess node : nodes.values()) {
      node.close();
    }
    nodes.clear();
    try {
      if (postgres != null) {
        postgres.close();
      }
    } finally {
      postgres = null;
      if (net != null) {
        net.close();
        net = null;
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Partition.class)
  void thePartitionedMinorityDownsItselfAndNoAcceptedJobIsLostOrProcessedOnBothSides(Partition partition)
      throws Exception {
    String missing = NetworkNamespaces.unavailableBecause();
    assumeTrue(missing == null, () -> "partition tests need root, `ip netns` and iptables: " + missing);
    String scenario = partition.scenario;
    Path runDir = dir.resolve(scenario);
    Path data = TinyDataset.write(runDir.resolve("data"));
    Path logs = Path.of("target", "chaos", scenario).toAbsolutePath();
    Files.createDirectories(logs);
    net = NetworkNamespaces.create(NODES);
    postgres = LocalPostgres.startReachableAt(net.hostAddress(), net.cidr());
    System.out.printf("%s: nodes at %s, PostgreSQL at %s%n", scenario,
        IntStream.rangeClosed(1, NODES).mapToObj(net::address).toList(), postgres.url());

    // Every node is a seed: a restarted first seed must join the survivors, not form a cluster of its own.
    String seeds = IntStream.rangeClosed(1, NODES)
        .mapToObj(i -> "pekko://switchyard@" + net.address(i) + ":" + REMOTING_PORT).collect(Collectors.joining(","));
    for (int i = 1; i <= NODES; i++) {
      nodes.put(i, startNode(i, runDir, data, logs, seeds, 0));
    }
    for (int i = 1; i <= NODES; i++) {
      nodes.get(i).awaitReady(Duration.ofSeconds(120));
    }
    awaitAllUp(Set.of(1, 2, 3), Duration.ofSeconds(90));
    List<String> warmUps = new ArrayList<>();
    for (int i = 1; i <= NODES; i++) {
      SubmitOutcome warmUp = submit(i, scenario + "-warm-up-" + i, new Random(i)).join();
      assertTrue(warmUp.id() != null, "warm-up job on node " + i + " not accepted: " + warmUp);
      warmUps.add(warmUp.id());
    }
    for (int i = 1; i <= NODES; i++) {
      JsonNode job = awaitTerminal(List.of(i), warmUps.get(i - 1), Duration.ofSeconds(90));
      assertEquals("succeeded", job.path("status").asText(), job.toString());
    }

    // Load on all three nodes; the cut comes after LOAD_BEFORE_CUT and lasts PARTITIONED_FOR.
    Map<Integer, CompletableFuture<Long>> exitedAt = new LinkedHashMap<>();
    for (int i = 1; i <= NODES; i++) {
      exitedAt.put(i, nodes.get(i).process.onExit().thenApply(p -> System.nanoTime()));
    }
    List<CompletableFuture<SubmitOutcome>> submissions = new ArrayList<>();
    Random random = new Random(20261207L);
    long start = System.nanoTime();
    long cutAt = 0;
    long cutAtMillis = 0;
    int n = 0;
    while (System.nanoTime() - start < LOAD_BEFORE_CUT.plus(PARTITIONED_FOR).toNanos()) {
      if (cutAt == 0 && System.nanoTime() - start >= LOAD_BEFORE_CUT.toNanos()) {
        partition.apply(net);
        cutAt = System.nanoTime();
        cutAtMillis = System.currentTimeMillis();
        System.out.printf("%s: cut %s after %d submissions%n", scenario, net.cuts(), n);
      }
      int node = n % NODES + 1;
      submissions.add(submit(node, scenario + "-load-" + n, random));
      n++;
      Thread.sleep(SUBMIT_INTERVAL_MS);
    }
    Set<Integer> exitedWhileCut = exitedAt.entrySet().stream().filter(e -> e.getValue().isDone())
        .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
    net.heal();
    long healedAt = System.nanoTime();
    long cutNanos = cutAt;
    String exits = exitedWhileCut.stream().map(i -> String.format("n%d exited (code %d) %.1f s after the cut", i,
        nodes.get(i).process.exitValue(), (exitedAt.get(i).join() - cutNanos) / 1e9)).collect(Collectors.joining(", "));
    System.out.printf("%s: healed after %.1f s; %s%n", scenario, (healedAt - cutAt) / 1e9,
        exits.isEmpty() ? "no node exited" : exits);
    assertEquals(partition.downed, exitedWhileCut, "the nodes that exited while the network was cut (see "
        + "target/chaos/" + scenario + "/)");

    // The downed nodes start again in their namespaces and rejoin the one cluster.
    for (int i : exitedWhileCut) {
      nodes.put(i, startNode(i, runDir, data, logs, seeds, 1));
    }
    awaitAllUp(Set.of(1, 2, 3), REJOIN_BOUND.minus(Duration.ofNanos(System.nanoTime() - healedAt)));
    double rejoinSeconds = (System.nanoTime() - healedAt) / 1e9;

    // The answers: 202 (accepted), another status (refused), or none within the client's timeout (0).
    long lastDownedExit = exitedWhileCut.stream().mapToLong(i -> exitedAt.get(i).join()).max().orElseThrow();
    Map<String, Integer> accepted = new LinkedHashMap<>();
    Map<Integer, Long> statuses = new TreeMap<>();
    int acceptedByMajorityAfterDowning = 0;
    for (CompletableFuture<SubmitOutcome> s : submissions) {
      SubmitOutcome outcome = s.get(30, TimeUnit.SECONDS);
      statuses.merge(outcome.status(), 1L, Long::sum);
      if (outcome.id() != null) {
        accepted.put(outcome.id(), outcome.node());
        if (outcome.sentAt() > lastDownedExit) {
          acceptedByMajorityAfterDowning++;
        }
      }
    }

    // Every accepted job reaches a terminal state, read from any of the three.
    long deadline = System.nanoTime() + DRAIN_BOUND.toNanos();
    Map<String, JsonNode> ended = new ConcurrentHashMap<>();
    int round = 0;
    while (ended.size() < accepted.size() && System.nanoTime() < deadline) {
      Map<String, CompletableFuture<JsonNode>> polls = new LinkedHashMap<>();
      for (String id : accepted.keySet()) {
        if (!ended.containsKey(id)) {
          polls.put(id, getAsync(Math.floorMod(id.hashCode() + round, NODES) + 1, id));
        }
      }
      round++;
      polls.forEach((id, poll) -> {
        JsonNode job = poll.join();
        if (job != null && TERMINAL.contains(job.path("status").asText())) {
          ended.put(id, job);
        }
      });
      Thread.sleep(500);
    }
    double drainSeconds = (System.nanoTime() - healedAt) / 1e9;

    // The whole cluster serves again: a new job through each node succeeds.
    int probesOk = 0;
    for (int i = 1; i <= NODES; i++) {
      SubmitOutcome probe = submit(i, scenario + "-after-heal-" + i, new Random(100 + i)).join();
      if (probe.id() != null && "succeeded".equals(awaitTerminal(List.of(1, 2, 3), probe.id(),
          Duration.ofSeconds(60)).path("status").asText())) {
        probesOk++;
      }
    }

    List<String> lost = accepted.keySet().stream().filter(id -> !ended.containsKey(id)).toList();
    long succeeded = ended.values().stream().filter(j -> "succeeded".equals(j.path("status").asText())).count();
    List<String> problems = new ArrayList<>();
    ended.values().forEach(job -> problems.addAll(JobLedger.billingProblems(job, STEPS_PER_JOB)));
    NodeKillIT.JournalAudit audit = NodeKillIT.JournalAudit.of(postgres, accepted.keySet(), cutAtMillis);
    problems.addAll(audit.problems());
    Map<Integer, Long> acceptedPerNode = accepted.values().stream()
        .collect(Collectors.groupingBy(i -> i, TreeMap::new, Collectors.counting()));

    System.out.printf("%s: submitted %d, accepted %d (per node %s; %d sent after the downed nodes exited, still "
            + "cut), answers by status %s (0: none within 20 s); terminal %d, "
            + "succeeded %d, lost %d; billed or recorded twice %d; downed %s; last entity of a downed node resumed "
            + "%.1f s after the cut; all %d members Up %.1f s after the heal; all accepted jobs terminal %.1f s "
            + "after the heal; %d/%d new jobs succeeded after the heal%n",
        scenario, submissions.size(), accepted.size(), acceptedPerNode, acceptedByMajorityAfterDowning, statuses,
        ended.size(), succeeded,
        lost.size(), problems.size(), exitedWhileCut, audit.lastResumeSeconds(), NODES, rejoinSeconds,
        drainSeconds, probesOk, NODES);
    System.out.printf("%s: journal: %d job and %d step-query entities of accepted jobs, %d written by more than "
            + "one incarnation; %d model calls answered%n", scenario, audit.jobs(), audit.queries(),
        audit.resumed(), audit.answeredCalls());
    problems.forEach(p -> System.out.println(scenario + " problem: " + p));

    assertTrue(audit.resumed() > 0, "no entity of an accepted job was resumed by a second incarnation: the "
        + "partition downed nothing that held work, so the test shows nothing");
    assertTrue(acceptedByMajorityAfterDowning > 0, "the side that stayed up must go on accepting jobs while the "
        + "network is still cut, once the downed side has gone");
    assertTrue(lost.isEmpty(), "accepted jobs not terminal within " + DRAIN_BOUND + " of the heal: " + lost);
    assertEquals(accepted.size(), succeeded, "every accepted job should succeed: " + ended);
    assertTrue(problems.isEmpty(), "work billed or recorded twice, or processed on both sides: " + problems);
    assertEquals(NODES, probesOk, "after the heal every node must accept and finish new jobs");
  }

  private ServeProcess startNode(int node, Path runDir, Path data, Path logs, String seeds, int restart)
      throws IOException {
    Path stateDir = runDir.resolve("node-" + node);
    Files.createDirectories(stateDir);
    String logName = "node-" + node + (restart == 0 ? "" : "-restart-" + restart) + ".log";
    return ServeProcess.builder(stateDir, data, logs.resolve(logName))
        .commandPrefix(net.commandPrefix(node))
        .host(net.address(node))
        .port(HTTP_PORT)
        .clusterOn(postgres.url(), net.address(node), REMOTING_PORT, seeds)
        .property("java.util.concurrent.ForkJoinPool.common.parallelism", 4)
        .args("--latency-scale", "5")
        .start();
  }

  /** What one submission got: the job id on 202, else the status (0: no answer, e.g. a timeout). */
  record SubmitOutcome(int node, long sentAt, int status, String id) {}

  /** Submits a durable job of {@value #STEPS_PER_JOB} steps to node {@code node} without waiting for it. */
  private CompletableFuture<SubmitOutcome> submit(int node, String key, Random random) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", PIPELINE);
    List<Map<String, Object>> messages = new ArrayList<>();
    for (int s = 0; s < STEPS_PER_JOB; s++) {
      String question = TinyDataset.QUESTIONS.get(random.nextInt(TinyDataset.QUESTIONS.size()));
      messages.add(Map.of("messages", List.of(Map.of("role", "user", "content", question))));
    }
    body.put("messages", messages.get(0).get("messages"));
    body.put("steps", messages.subList(1, messages.size()));
    long sentAt = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(URI.create(nodes.get(node).base() + "/v1/jobs"))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json").header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .thenApply(r -> {
          try {
            return new SubmitOutcome(node, sentAt, r.statusCode(),
                r.statusCode() == 202 ? JSON.readTree(r.body()).path("id").asText() : null);
          } catch (IOException e) {
            throw new IllegalStateException("202 without a JSON body: " + r.body(), e);
          }
        })
        .exceptionally(e -> new SubmitOutcome(node, sentAt, 0, null));
  }

  private CompletableFuture<JsonNode> getAsync(int node, String id) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create(nodes.get(node).base() + "/v1/jobs/" + id))
                .timeout(Duration.ofSeconds(15)).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .thenApply(r -> {
          try {
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
          } catch (IOException e) {
            return null;
          }
        })
        .exceptionally(e -> null);
  }

  private JsonNode awaitTerminal(List<Integer> from, String id, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    JsonNode job = null;
    int i = 0;
    while (System.nanoTime() < deadline) {
      job = getAsync(from.get(i++ % from.size()), id).join();
      if (job != null && TERMINAL.contains(job.path("status").asText())) {
        return job;
      }
      Thread.sleep(250);
    }
    fail("job " + id + " not terminal within " + bound + "; last seen: " + job);
    return job;
  }

  /** Until each of {@code which} answers {@code /ready} counting {@value #NODES} Up members. */
  private void awaitAllUp(Set<Integer> which, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (int i : which) {
        try {
          HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(nodes.get(i).base() + "/ready"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
          all &= JSON.readTree(r.body()).path("node").path("members_up").asInt() == NODES;
        } catch (IOException e) {
          all = false; // a restarted node not listening yet
        }
      }
      if (all) {
        return;
      }
      Thread.sleep(250);
    }
    fail("not all " + NODES + " nodes Up within " + bound + "; see target/chaos/");
  }
}
