package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reliability scenarios T3-1 and T3-2 (reliability-plan.md): a real network partition of a real 3-node cluster.
 * The test bed is {@link ClusterUnderLoad}'s (three {@code switchyard serve --profile cluster} JVMs, one journal,
 * durable 3-step jobs, its ledger and journal audit), with each JVM in a network namespace of its own ({@link
 * NetworkNamespaces}), its remoting and HTTP on its own address, and the test's PostgreSQL in the root namespace,
 * which every namespace reaches over the bridge. iptables rules in the
 * namespaces drop packets between nodes for {@link #PARTITIONED_FOR} while durable 3-step jobs are submitted to
 * all three nodes (the minority too: a job it accepts before it downs itself must survive it), then the network
 * heals and every node that exited is started again in its namespace.
 *
 * <p>Checked for each {@link Partition}: the split brain resolver takes the documented decision (its log line) and
 * exactly the nodes it is documented to down exit while the network is cut (keep-majority: the minority; for a one-way
 * cut, the two indirectly connected ends of the cut link, the fully connected node stays), and the others stay up and
 * go on accepting jobs while the network is still cut; every job that got 202 Accepted from any node reaches a terminal
 * state (none lost) and succeeds; nothing is billed twice ({@link JobLedger}); in the journal no model call, step or
 * job is recorded twice and no entity is written by an old incarnation after a new one wrote (the same job processed on
 * both sides); at least one entity of a downed node resumed elsewhere (else the partition hit nothing); the restarted
 * nodes are Up members of the one cluster within {@link #REJOIN_BOUND} of the heal, and new jobs submitted to each of
 * the three nodes then succeed. The time from the cut to the last resumed entity is printed, not asserted: T2-1
 * (NodeKillIT) bounds the same path.
 *
 * <p>Needs root, {@code ip netns} and iptables (skipped otherwise, saying which is missing). Node logs go to
 * {@code target/chaos/<scenario>/}. Run alone: {@code mvn -B -o -pl ops -am verify -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=PartitionIT}.
 */
class PartitionIT {
  /** Jobs submitted every this long, round-robin over all three nodes, whether earlier ones were answered or not. */
  private static final Duration SUBMIT_INTERVAL = Duration.ofMillis(200);
  /** Load before the cut, so that jobs are running on every node when it comes. */
  private static final Duration LOAD_BEFORE_CUT = Duration.ofSeconds(6);
  private static final Duration PARTITIONED_FOR = Duration.ofSeconds(30);
  private static final Duration REJOIN_BOUND = Duration.ofSeconds(60);
  private static final Duration DRAIN_BOUND = Duration.ofSeconds(120);

  /** The cut, and the nodes (1-based) Pekko's split brain resolver (keep-majority) documents as downed by it. */
  enum Partition {
    /**
     * T3-1: {n1, n2} and {n3} cannot reach each other at all; the majority downs n3 and n3, the minority, downs
     * itself.
     */
    TWO_ONE("T3-1", Set.of(3), Set.of("DownUnreachable", "DownReachable")),
    /**
     * T3-2: only packets from n1 to n3 are dropped. Over TCP that starves both directions of the n1-n3 link
     * (n3's data reaches n1, n1's acknowledgements never reach n3), so n1 and n3 each see the other unreachable
     * while n2 reaches both: both are indirectly connected, and the resolver keeps the fully connected n2 and
     * downs n1 and n3 ("down all the indirectly connected nodes", Pekko's split brain resolver documentation).
     */
    ONE_WAY("T3-2", Set.of(1, 3), Set.of("DownIndirectlyConnected"));

    final String scenario;
    final Set<Integer> downed;
    /** The resolver's decisions, as it logs them ("SBR took decision X"), that some node must take. */
    final Set<String> decisions;

    Partition(String scenario, Set<Integer> downed, Set<String> decisions) {
      this.scenario = scenario;
      this.downed = downed;
      this.decisions = decisions;
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

  private NetworkNamespaces net;
  private ClusterUnderLoad cluster;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      cluster = null;
      if (net != null) {
        net.close();
        net = null;
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Partition.class)
  void theResolverDownsTheCutOffSideAndNoAcceptedJobIsLostOrProcessedOnBothSides(Partition partition)
      throws Exception {
    String missing = NetworkNamespaces.unavailableBecause();
    assumeTrue(missing == null, () -> "partition tests need root, `ip netns` and iptables: " + missing);
    String scenario = partition.scenario;
    net = NetworkNamespaces.create(3);
    cluster = ClusterUnderLoad.builder(scenario, dir)
        .commandPrefix(i -> net.commandPrefix(i + 1))
        .host(i -> net.address(i + 1))
        .journalReachableAt(net.hostAddress(), net.cidr())
        .start();
    System.out.printf("%s: nodes at %s, PostgreSQL at %s%n", scenario,
        cluster.nodes().stream().map(n -> n.base).toList(), cluster.journal().url());

    // Load on all three nodes; the cut comes after LOAD_BEFORE_CUT and lasts PARTITIONED_FOR.
    Map<Integer, CompletableFuture<Long>> exitedAt = new TreeMap<>();
    for (ClusterUnderLoad.Node node : cluster.nodes()) {
      exitedAt.put(node.index + 1, node.process().onExit().thenApply(p -> System.nanoTime()));
    }
    ClusterUnderLoad.Load load = cluster.load("load", 20261207L);
    load.runOpenLoopInBackground(SUBMIT_INTERVAL, cluster::nodes);
    Thread.sleep(LOAD_BEFORE_CUT.toMillis());
    partition.apply(net);
    long cutAt = System.nanoTime();
    long cutAtMillis = System.currentTimeMillis();
    System.out.printf("%s: cut %s after %d submissions%n", scenario, net.cuts(), load.submitted());
    Thread.sleep(PARTITIONED_FOR.toMillis());
    Set<Integer> exitedWhileCut = exitedAt.entrySet().stream().filter(e -> e.getValue().isDone())
        .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
    net.heal();
    long healedAt = System.nanoTime();
    load.stop();
    String exits = exitedWhileCut.stream().map(n -> String.format("n%d exited (code %d) %.1f s after the cut", n,
        cluster.node(n - 1).process().exitValue(), (exitedAt.get(n).join() - cutAt) / 1e9))
        .collect(Collectors.joining(", "));
    System.out.printf("%s: healed after %.1f s; %s%n", scenario, (healedAt - cutAt) / 1e9,
        exits.isEmpty() ? "no node exited" : exits);
    assertEquals(partition.downed, exitedWhileCut, "the nodes that exited while the network was cut (logs: "
        + cluster.logs() + ")");

    StringBuilder logs = new StringBuilder();
    for (ClusterUnderLoad.Node node : cluster.nodes()) {
      logs.append(node.logs());
    }
    Set<String> decisions = new TreeSet<>();
    logs.toString().lines().filter(l -> l.contains("SBR took decision "))
        .forEach(l -> decisions.add(l.substring(l.indexOf("SBR took decision ") + 18).split(" ")[0]));
    System.out.printf("%s: the resolver's decisions: %s%n", scenario, decisions);
    assertTrue(decisions.containsAll(partition.decisions), "the resolver should take " + partition.decisions
        + ", took " + decisions + " (logs: " + cluster.logs() + ")");

    // The downed nodes start again in their namespaces and rejoin the one cluster.
    for (int n : exitedWhileCut) {
      cluster.node(n - 1).start();
    }
    cluster.awaitAllUp(REJOIN_BOUND.minus(Duration.ofNanos(System.nanoTime() - healedAt)));
    double rejoinSeconds = (System.nanoTime() - healedAt) / 1e9;

    // Every accepted job reaches a terminal state, read from any of the three; then each serves a new one.
    ClusterUnderLoad.Drain drain = cluster.drain(load.accepted().keySet(), cluster.nodes(), DRAIN_BOUND);
    double[] probe = cluster.probe("after-heal", cluster.nodes(), 3, Duration.ofSeconds(60));
    ClusterUnderLoad.Verdict verdict = cluster.verdict(load, drain, cutAtMillis);

    long lastDownedExit = exitedWhileCut.stream().mapToLong(n -> exitedAt.get(n).join()).max().orElseThrow();
    List<ClusterUnderLoad.Submission> submissions = load.submissions();
    long acceptedAfterDowning = submissions.stream().filter(s -> s.accepted() && s.sentAt() > lastDownedExit)
        .count();
    Map<Integer, Long> statuses = submissions.stream()
        .collect(Collectors.groupingBy(ClusterUnderLoad.Submission::status, TreeMap::new, Collectors.counting()));
    Map<Integer, Long> acceptedPerNode = load.accepted().values().stream()
        .collect(Collectors.groupingBy(i -> i + 1, TreeMap::new, Collectors.counting()));
    double resumeSeconds = verdict.audit().lastResumeSeconds();
    verdict.print(new ClusterUnderLoad.Figure(resumeSeconds, "last entity of a downed node resumed after the cut"),
        new ClusterUnderLoad.Figure(drain.secondsSince(cutAt), "the cut"),
        String.format("; accepted per node %s, %d of them sent after the downed nodes exited, still cut; answers "
                + "by status %s (-1: none); downed %s; all 3 members Up %.1f s after the heal; %.0f/3 new jobs "
                + "succeeded after the heal", acceptedPerNode, acceptedAfterDowning, statuses, exits, rejoinSeconds,
            probe[0]));
    System.out.printf("PARTITION-ROW | %s | %d of %d | %d | %d | %d | %s | %.1f s | %.1f s |%n", scenario,
        verdict.accepted(), verdict.submitted(), verdict.succeeded(), verdict.lost().size(),
        verdict.problems().size(), exits, resumeSeconds, rejoinSeconds);

    assertTrue(verdict.audit().resumed() > 0, "no entity of an accepted job was resumed by a second incarnation: "
        + "the partition downed nothing that held work, so the test shows nothing");
    assertTrue(acceptedAfterDowning > 0, "the side that stayed up must go on accepting jobs while the network is "
        + "still cut, once the downed side has gone");
    verdict.assertClean(DRAIN_BOUND);
    assertEquals(3, (int) probe[0], "after the heal every node must accept and finish new jobs");
    // A node going away refuses with 503 and Retry-After; a 500 tells the client nothing (it was pekko-http's
    // own, for a connection closed under a request being answered: ConnectionCloseTest).
    assertEquals(0L, statuses.getOrDefault(500, 0L), "submissions answered 500 (answers by status " + statuses
        + "; logs: " + cluster.logs() + ")");
  }
}
