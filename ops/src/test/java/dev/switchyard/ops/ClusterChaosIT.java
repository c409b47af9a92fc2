package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.ops.ClusterUnderLoad.Figure;
import dev.switchyard.ops.ClusterUnderLoad.Load;
import dev.switchyard.ops.ClusterUnderLoad.Node;
import dev.switchyard.ops.ClusterUnderLoad.Submission;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The chaos suite's process-level scenarios beside {@link NodeKillIT}'s (reliability-plan.md T2-4, T2-5 and a rolling
 * restart), each on a fresh 3-node cluster on PostgreSQL under a load of durable 3-step jobs
 * ({@link ClusterUnderLoad}), and each ending with the suite's common verdict: every job answered 202 is terminal and
 * succeeded, no step is billed twice and the journal holds no call, step or end twice ({@link
 * ClusterUnderLoad.Verdict#assertClean}). What each adds is on its {@link Scenario}. Each prints a {@code CHAOS-ROW}
 * line with its time to resume, the row of docs/BENCHMARKS.md's table "The chaos suite".
 *
 * <p>Run alone: {@code mvn -B -o -pl ops -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ClusterChaosIT}.
 */
class ClusterChaosIT {
  private static final Duration DRAIN_BOUND = Duration.ofSeconds(120);
  private static final Duration SUBMIT_INTERVAL = Duration.ofMillis(150);
  /** Load on a healthy cluster before the disruption, so that jobs are in flight on every node when it comes. */
  private static final Duration LOAD_BEFORE = Duration.ofSeconds(4);
  private static final Duration START_BOUND = Duration.ofSeconds(120);
  /** A correctness bound, not a speed figure: a job that waits longer for a poke after recovery was forgotten. */
  private static final double RESUME_BOUND = 30.0;
  /**
   * What a node logs when an entity cannot replay its events: Pekko Persistence's recovery failure
   * ({@code onRecoveryFailure}: "Exception in receiveRecover", "Persistence failure when replaying events") or a
   * typed entity's {@code RecoveryFailed}.
   */
  private static final Pattern REPLAY_ERROR = Pattern.compile(
      "receiveRecover|when replaying events|RecoveryFailed|recovery failed|Recovery timed out",
      Pattern.CASE_INSENSITIVE);

  @TempDir
  static Path dir;

  private ClusterUnderLoad cluster;

  enum Scenario {
    /**
     * T2-4: SIGKILL of all three nodes at once mid-load, then all three started again on the same state dirs and
     * journal. Every job that got 202 before the kill is there after the restart and succeeds (a 202 is sent only
     * after the job's acceptance is journaled); no node logs a replay error; some entity was resumed by a new
     * incarnation (else the kill hit nothing). Time to resume: from the restart until all accepted jobs were terminal.
     */
    FULL_CLUSTER_KILL("T2-4"),
    /**
     * T2-5: the PostgreSQL server stopped for 15 s under load, then started again on the same data dir and port.
     * A submission sent and answered within the outage is never 202 (it cannot have been journaled), and is
     * refused with 503 and a {@code Retry-After}; no submission waits out its client timeout or gets a 500. After
     * the heal, nodes accept jobs again, and the jobs whose steps were cut by the outage still succeed. Time to
     * resume: from the heal to the first 202.
     */
    JOURNAL_OUTAGE("T2-5"),
    /**
     * A rolling restart: each node in turn is sent SIGTERM (a graceful leave: its shards hand over), must exit
     * (143, as {@link ServeShutdownTest} shows) within 60 s, is started again and is Up on every node before the
     * next one goes; the load goes on through the nodes that are up. Time to resume: the longest restart of one
     * node, SIGTERM to all three Up again.
     */
    ROLLING_RESTART("rolling");

    final String id;

    Scenario(String id) {
      this.id = id;
    }
  }

  @AfterEach
  void stopAll() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Scenario.class)
  void everyAcceptedJobSucceedsOnceAfterTheScenario(Scenario scenario) throws Exception {
    // For repeated runs of some: -Dchaos.scenarios=T2-5,rolling on the Maven command line.
    String only = System.getProperty("chaos.scenarios", "");
    Assumptions.assumeTrue(only.isBlank() || List.of(only.split(",")).contains(scenario.id),
        "not among -Dchaos.scenarios=" + only);
    cluster = ClusterUnderLoad.builder(scenario.id, dir).start();
    switch (scenario) {
      case FULL_CLUSTER_KILL -> fullClusterKill();
      case JOURNAL_OUTAGE -> journalOutage();
      case ROLLING_RESTART -> rollingRestart();
    }
  }

  private void fullClusterKill() throws Exception {
    Load load = cluster.load("load", 20261207L);
    load.runInBackground(SUBMIT_INTERVAL, cluster::nodes);
    Thread.sleep(LOAD_BEFORE.toMillis());
    load.stop(); // the last answers are in: every 202 the client saw is before the kill
    Set<String> inFlightAtKill = load.inFlight(cluster.node(0));
    long killedAtMillis = System.currentTimeMillis();
    for (Node node : cluster.nodes()) {
      node.process().destroyForcibly();
    }
    for (Node node : cluster.nodes()) {
      node.kill(); // waits until it is gone
    }
    System.out.printf("T2-4: SIGKILL of all nodes after %d submissions, %d accepted, %d in flight%n",
        load.submitted(), load.accepted().size(), inFlightAtKill.size());

    long restartedAt = System.nanoTime();
    for (Node node : cluster.nodes()) {
      node.start();
    }
    for (Node node : cluster.nodes()) {
      cluster.awaitReady(node, START_BOUND);
    }
    cluster.awaitAllUp(Duration.ofSeconds(90));
    double upSeconds = (System.nanoTime() - restartedAt) / 1e9;
    ClusterUnderLoad.Drain drain = cluster.drain(load.accepted().keySet(), cluster.nodes(), DRAIN_BOUND);
    double[] probe = cluster.probe("after-restart", cluster.nodes(), 3, Duration.ofSeconds(60));

    List<String> replayErrors = new ArrayList<>();
    for (Node node : cluster.nodes()) {
      node.logs().lines().filter(l -> REPLAY_ERROR.matcher(l).find())
          .forEach(l -> replayErrors.add(node.name() + ": " + l));
    }
    ClusterUnderLoad.Verdict verdict = cluster.verdict(load, drain, killedAtMillis);
    double allTerminal = drain.secondsSince(restartedAt);
    verdict.print(new Figure(allTerminal, "all accepted jobs terminal after the restart"),
        new Figure(allTerminal, "the restart"), String.format("; in flight at the kill %d; all 3 nodes Up %.1f s after "
            + "the restart; %.0f/3 new jobs succeeded in %.1f s; replay errors in the node logs %d",
        inFlightAtKill.size(), upSeconds, probe[0], probe[1], replayErrors.size()));
    replayErrors.forEach(e -> System.out.println("T2-4 replay error: " + e));

    assertTrue(inFlightAtKill.size() > 0, "the kill must hit running jobs, or the test shows nothing");
    assertTrue(verdict.audit().resumed() > 0, "no entity of an accepted job was written by a new incarnation after "
        + "the restart: the kill hit nothing");
    verdict.assertClean(DRAIN_BOUND);
    assertTrue(replayErrors.isEmpty(), "journal replay errors after the restart: " + replayErrors);
    assertEquals(3, (int) probe[0], "the restarted cluster must accept and finish new jobs");
  }

  private static final Duration OUTAGE = Duration.ofSeconds(15);
  /** Load after the heal, so that resuming shows in new 202s and not only in old jobs finishing. */
  private static final Duration LOAD_AFTER_HEAL = Duration.ofSeconds(10);

  private void journalOutage() throws Exception {
    Load load = cluster.load("load", 20261208L);
    load.runInBackground(SUBMIT_INTERVAL, cluster::nodes);
    Thread.sleep(LOAD_BEFORE.toMillis());
    Set<String> inFlightAtStop = load.inFlight(cluster.node(0));
    long stoppedAtMillis = System.currentTimeMillis();
    cluster.journal().stop();
    long down = System.nanoTime(); // from here no connection to the journal can succeed
    System.out.printf("T2-5: PostgreSQL stopped after %d submissions, %d accepted, %d in flight%n", load.submitted(),
        load.accepted().size(), inFlightAtStop.size());
    Thread.sleep(OUTAGE.toMillis());
    long healing = System.nanoTime(); // from here a connection may succeed again
    cluster.journal().restart();
    long healed = System.nanoTime();
    Thread.sleep(LOAD_AFTER_HEAL.toMillis());
    load.stop();

    List<Submission> duringOutage = load.submissions().stream()
        .filter(s -> s.sentAt() >= down && s.answeredAt() <= healing).toList();
    List<Submission> acceptedDuringOutage = duringOutage.stream().filter(Submission::accepted).toList();
    List<Submission> badRefusals = duringOutage.stream()
        .filter(s -> !s.accepted() && (s.status() != 503 || s.retryAfter() == null)).toList();
    double firstAcceptAfterHeal = load.submissions().stream().filter(s -> s.accepted() && s.sentAt() >= healing)
        .mapToDouble(s -> (s.answeredAt() - healed) / 1e9).min().orElse(Double.NaN);
    long acceptedAfterHeal = load.submissions().stream().filter(s -> s.accepted() && s.sentAt() >= healing).count();

    ClusterUnderLoad.Drain drain = cluster.drain(load.accepted().keySet(), cluster.nodes(), DRAIN_BOUND);
    ClusterUnderLoad.Verdict verdict = cluster.verdict(load, drain, stoppedAtMillis);
    List<String> statuses = duringOutage.stream().map(s -> s.status() + (s.retryAfter() == null ? ""
        : " retry-after " + s.retryAfter())).distinct().toList();
    verdict.print(new Figure(firstAcceptAfterHeal, "first 202 after the heal"),
        new Figure(drain.secondsSince(healed), "the heal"), String.format("; in flight at the stop %d; "
            + "submissions within the outage %d, answered %s, 202 %d, not 503 with Retry-After %d; accepted after "
            + "the heal %d, the first %.1f s after it", inFlightAtStop.size(), duringOutage.size(), statuses,
        acceptedDuringOutage.size(), badRefusals.size(), acceptedAfterHeal, firstAcceptAfterHeal));
    badRefusals.forEach(s -> System.out.println("T2-5 refusal within the outage: " + s));

    assertTrue(inFlightAtStop.size() > 0, "the outage must hit running jobs, or the test shows nothing");
    assertTrue(duringOutage.size() > 0, "no submission fell within the outage, so the test shows nothing");
    assertTrue(acceptedDuringOutage.isEmpty(), "202 while the journal was down: " + acceptedDuringOutage);
    assertTrue(badRefusals.isEmpty(), "within the outage every submission must get 503 with Retry-After: "
        + badRefusals);
    assertTrue(acceptedAfterHeal > 0, "no job accepted within " + LOAD_AFTER_HEAL + " of the heal");
    assertTrue(firstAcceptAfterHeal <= RESUME_BOUND, "the first job after the heal was accepted "
        + firstAcceptAfterHeal + " s after it");
    verdict.assertClean(DRAIN_BOUND);
  }

  private static final Duration LEAVE_BOUND = Duration.ofSeconds(60);

  private void rollingRestart() throws Exception {
    List<Node> inRotation = new CopyOnWriteArrayList<>(cluster.nodes());
    Load load = cluster.load("load", 20261209L);
    load.runInBackground(SUBMIT_INTERVAL, () -> List.copyOf(inRotation));
    Thread.sleep(LOAD_BEFORE.toMillis());
    long startedAtMillis = System.currentTimeMillis();
    List<Double> restartSeconds = new ArrayList<>();
    List<Integer> exitCodes = new ArrayList<>();
    int inFlightAtFirst = load.inFlight(cluster.node(1)).size();
    for (Node node : cluster.nodes()) {
      inRotation.remove(node); // a client's load balancer stops sending to a node it is told is leaving
      long stopping = System.nanoTime();
      exitCodes.add(node.terminate(LEAVE_BOUND));
      double exitSeconds = (System.nanoTime() - stopping) / 1e9;
      node.start();
      cluster.awaitReady(node, START_BOUND);
      cluster.awaitAllUp(Duration.ofSeconds(90));
      double seconds = (System.nanoTime() - stopping) / 1e9;
      restartSeconds.add(seconds);
      inRotation.add(node);
      System.out.printf("rolling: %s exited (code %d) %.1f s after SIGTERM, all 3 Up again %.1f s after it%n",
          node.name(), exitCodes.get(exitCodes.size() - 1), exitSeconds, seconds);
      Thread.sleep(LOAD_BEFORE.toMillis()); // load through all three before the next goes
    }
    load.stop();
    long lastUp = System.nanoTime();
    ClusterUnderLoad.Drain drain = cluster.drain(load.accepted().keySet(), cluster.nodes(), DRAIN_BOUND);
    ClusterUnderLoad.Verdict verdict = cluster.verdict(load, drain, startedAtMillis);
    List<String> refusals = load.refused().stream().map(s -> String.valueOf(s.status())).distinct().toList();
    verdict.print(new Figure(Collections.max(restartSeconds), "longest restart of a node, SIGTERM to all Up"),
        new Figure(drain.secondsSince(lastUp), "the last node was Up again"), String.format("; in flight when the "
            + "first node left %d; restart per node (SIGTERM to all Up) %s s; exit codes %s; refusals answered %s",
        inFlightAtFirst, restartSeconds.stream().map(d -> String.format("%.1f", d)).toList(), exitCodes, refusals));

    assertTrue(inFlightAtFirst > 0, "the first leave must come with jobs running, or the test shows nothing");
    assertEquals(List.of(143, 143, 143), exitCodes, "a node sent SIGTERM leaves and exits 143 (ServeShutdownTest)");
    verdict.assertClean(DRAIN_BOUND);
  }
}
