package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * T2-1 (reliability-plan.md) over Artery aeron-udp (issue 12): NodeKillIT's scenario, a 3-node cluster of
 * {@code switchyard serve --profile cluster,aeron} JVMs, each with an embedded Aeron media driver in a directory of
 * its own ({@code /dev/shm/switchyard-aeron-127.0.0.1-<remoting port>}, aeron.conf), on one PostgreSQL journal,
 * under the same durable job load, node 3 SIGKILLed halfway through; then the two survivors are stopped with SIGTERM.
 *
 * <p>Checked: the nodes really talk Aeron (each log says so, and names its own media driver directory); the
 * ledger checks of {@link ClusterUnderLoad.Verdict#assertClean} (every accepted job terminal and succeeded, nothing
 * billed or journaled twice), at least one of node 3's entities resumed on a survivor within {@link #RESUME_BOUND};
 * the survivors accept and finish new jobs; and each survivor, sent SIGTERM, exits within {@link #EXIT_BOUND} and
 * removes its media driver directory (the shutdown that hung in 2 of 17 in-JVM runs, pekko-stack.md gotcha 7).
 *
 * <p>Run alone: {@code mvn -B -o -pl ops -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=AeronClusterIT}.
 */
class AeronClusterIT {
  private static final String SCENARIO = "T2-1-aeron";
  private static final int JOBS = 48;
  private static final Duration SUBMIT_INTERVAL = Duration.ofMillis(100);
  private static final int KILL_AFTER_SUBMISSIONS = 24;
  private static final Duration DRAIN_BOUND = Duration.ofSeconds(120);
  private static final double RESUME_BOUND = 30.0;
  /** A node sent SIGTERM has left, drained and stopped within this long (cluster down's default timeout). */
  private static final Duration EXIT_BOUND = Duration.ofSeconds(60);

  @TempDir
  static Path dir;

  private ClusterUnderLoad cluster;

  @AfterEach
  void stopAll() throws Exception {
    if (cluster != null) {
      cluster.close();
      for (int i = 0; i < 3; i++) { // the SIGKILLed node's, and any left by a failure
        deleteTree(mediaDriverDirectory(cluster.node(i)));
      }
    }
  }

  @Test
  void acceptedJobsSurviveANodeKilledOverAeronAndTheSurvivorsExitOnSigterm() throws Exception {
    cluster = ClusterUnderLoad.builder(SCENARIO, dir)
        .customize((i, node) -> node.profile("cluster,aeron"))
        .start();
    for (int i = 0; i < 3; i++) {
      ClusterUnderLoad.Node node = cluster.node(i);
      String log = node.logs();
      assertTrue(log.contains("Remoting started with transport [Artery aeron-udp]"), node.name() + " is not on"
          + " aeron-udp; see " + node.log());
      assertTrue(log.contains("Started embedded media driver in directory [" + mediaDriverDirectory(node) + "]"),
          node.name() + " has no media driver of its own; see " + node.log());
    }
    ClusterUnderLoad.Node victim = cluster.node(2);
    List<ClusterUnderLoad.Node> survivors = List.of(cluster.node(0), cluster.node(1));

    ClusterUnderLoad.Load load = cluster.load("load", 20261207L);
    long killedAt = 0;
    long killedAtMillis = 0;
    Set<String> inFlightAtKill = Set.of();
    for (int i = 0; i < JOBS; i++) {
      if (i == KILL_AFTER_SUBMISSIONS) {
        inFlightAtKill = load.inFlight(cluster.node(0));
        victim.kill();
        killedAt = System.nanoTime();
        killedAtMillis = System.currentTimeMillis();
        System.out.printf("%s: SIGKILL node 3 (pid %d) after %d submissions, %d jobs in flight%n", SCENARIO,
            victim.process().pid(), i, inFlightAtKill.size());
      }
      load.next(killedAt == 0 ? cluster.node(i % 3) : survivors.get(i % 2));
      Thread.sleep(SUBMIT_INTERVAL.toMillis());
    }

    ClusterUnderLoad.Drain drain = cluster.drain(load.accepted().keySet(), survivors, DRAIN_BOUND);
    double drainSeconds = drain.secondsSince(killedAt);
    double[] probe = cluster.probe("after-kill", survivors, 4, Duration.ofSeconds(60));
    ClusterUnderLoad.Verdict verdict = cluster.verdict(load, drain, killedAtMillis);

    // The survivors, both at once as `cluster down` stops them: each exits within the bound and cleans up.
    List<java.util.concurrent.CompletableFuture<Long>> exitedAt = new ArrayList<>();
    for (ClusterUnderLoad.Node node : survivors) {
      exitedAt.add(node.process().onExit().thenApply(p -> System.nanoTime()));
    }
    long termAt = System.nanoTime();
    for (ClusterUnderLoad.Node node : survivors) {
      node.process().destroy();
    }
    List<String> exits = new ArrayList<>();
    List<String> hung = new ArrayList<>();
    for (int k = 0; k < survivors.size(); k++) {
      ClusterUnderLoad.Node node = survivors.get(k);
      long left = termAt + EXIT_BOUND.toNanos() - System.nanoTime();
      if (node.process().waitFor(Math.max(1, left), TimeUnit.NANOSECONDS)) {
        exits.add(String.format("%s exited (code %d) %.1f s after SIGTERM", node.name(), node.process().exitValue(),
            (exitedAt.get(k).get(10, TimeUnit.SECONDS) - termAt) / 1e9));
      } else {
        Path dump = node.log().resolveSibling(node.log().getFileName() + ".jstack");
        new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
            Long.toString(node.process().pid())).redirectErrorStream(true).redirectOutput(dump.toFile()).start()
            .waitFor(30, TimeUnit.SECONDS);
        hung.add(node.name() + " (pid " + node.process().pid() + "; log " + node.log() + ", threads " + dump + ")");
      }
    }
    verdict.print(new ClusterUnderLoad.Figure(verdict.audit().lastResumeSeconds(),
            "last entity of node 3 resumed after the kill"), new ClusterUnderLoad.Figure(drainSeconds, "the kill"),
        String.format("; in flight at the kill %d; %.0f/4 new jobs succeeded on the survivors in %.1f s; %s",
            inFlightAtKill.size(), probe[0], probe[1], String.join(", ", exits)));

    verdict.assertKilledNodesWorkResumedWithin(inFlightAtKill.size(), RESUME_BOUND);
    verdict.assertClean(DRAIN_BOUND);
    assertEquals(4, (int) probe[0], "the survivors must keep accepting and finishing jobs");
    assertTrue(hung.isEmpty(), "still running " + EXIT_BOUND + " after SIGTERM: " + hung);
    for (ClusterUnderLoad.Node node : survivors) {
      assertTrue(!Files.exists(mediaDriverDirectory(node)), node.name() + " left its media driver directory "
          + mediaDriverDirectory(node));
    }
  }

  /** Where aeron.conf puts a node's media driver: named by its remoting address. */
  private static Path mediaDriverDirectory(ClusterUnderLoad.Node node) {
    return Path.of("/dev/shm", "switchyard-aeron-" + node.host + "-" + node.remotingPort);
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
