package dev.switchyard.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateCommandTest {
  @TempDir
  Path temp;
  /**
   * One level inside the test's own directory, so that the data locator's {@code <workingDir>/../shared/data}
   * is in it and never finds a real recording (a {@code /tmp/shared/data} made the run use one instead of the
   * synthetic fleet these tests expect).
   */
  Path workingDir;

  @BeforeEach
  void workingDirInsideTheTestsOwn() throws java.io.IOException {
    workingDir = java.nio.file.Files.createDirectories(temp.resolve("work"));
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    SimulateCommand command = new SimulateCommand(DirectEngine.launcher(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        workingDir, ConfigFactory.load());
    return new CommandLine(command).execute(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void runsAWorkloadWithFaultsAndChaosAndWritesTheReport() throws Exception {
    int code = run("--workload", "poisson", "--rate", "40", "--duration", "6s", "--latency-scale", "0.02",
        "--fault", "synthetic-1b=error", "--chaos-schedule", "3s:synthetic-1b=healthy", "--out", "out/report.json",
        "--no-progress", "--seed", "3");
    assertEquals(0, code, err());
    JsonNode report = new ObjectMapper().readTree(workingDir.resolve("out/report.json").toFile());
    int offered = report.get("offered").asInt();
    assertTrue(offered > 150 && offered < 330, "offered " + offered); // Poisson(240)
    assertEquals(offered, report.get("answered").asInt() + report.get("abstained").asInt()
        + report.get("shed").asInt() + sum(report.get("failures")));
    assertTrue(report.get("answered").asInt() > 0.9 * offered, report.toString());
    assertEquals(1, report.get("chaosApplied").size());
    assertEquals(0, report.get("attemptsBilledMoreThanOnce").asInt());
    JsonNode small = report.get("backendOutcomes").get("synthetic-1b");
    assertTrue(small.path("SERVER_ERROR").asLong() > 0, "the 1b model failed before the chaos event healed it");
    assertTrue(small.path("ok").asLong() > 0, "and answered after it");
    assertEquals(6, report.get("timeline").size());
    assertTrue(report.get("latencyMs").get("p99").asDouble() >= report.get("latencyMs").get("p50").asDouble());
    assertTrue(report.get("modelLatencyMs").get("p50").asDouble() > 0);
    assertTrue(report.get("throughputPerSecond").asDouble() >= report.get("goodputPerSecond").asDouble());
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("throughput /s") && text.contains("goodput /s"), text);
  }

  private static int sum(JsonNode counts) {
    int s = 0;
    for (JsonNode n : counts) {
      s += n.asInt();
    }
    return s;
  }

  @Test
  void badFlagsAreRefusedNamingTheFlag() {
    assertEquals(2, run("--workload", "spiky", "--no-progress"));
    assertTrue(err().contains("--workload: unknown workload 'spiky'"), err());
    assertEquals(2, run("--fault", "synthetic-1b=wobbly", "--no-progress"));
    assertTrue(err().contains("--fault synthetic-1b=wobbly: unknown fault persona 'wobbly'"), err());
    assertEquals(2, run("--chaos-schedule", "later:x=error", "--no-progress"));
    assertTrue(err().contains("--chaos-schedule: chaos event 'later:x=error'"), err());
    assertEquals(2, run("--latency-scale", "0", "--no-progress"));
    assertTrue(err().contains("--latency-scale must be a finite number > 0"), err());
    assertEquals(2, run("--duration", "soon", "--no-progress"));
    assertTrue(err().contains("--duration: 'soon' is not a duration"), err());
    assertEquals(2, run("--fault", "gpt-9=error", "--duration", "1s", "--no-progress"));
    assertTrue(err().contains("gpt-9"), err());
  }

  /** --nodes' own flags; the run itself is SimulateNodesIT (ops), which has the cluster launcher. */
  @Test
  void nodeFlagsAreRefusedWhereTheyCannotApply() {
    assertEquals(2, run("--kill-node-at", "5s:2", "--no-progress"));
    assertTrue(err().contains("--kill-node-at needs --nodes 2 or more"), err());
    assertEquals(2, run("--nodes", "3", "--kill-node-at", "5s:4", "--no-progress"));
    assertTrue(err().contains("--kill-node-at: '5s:4': node must be 1..3"), err());
    assertEquals(2, run("--nodes", "3", "--kill-node-at", "5s", "--no-progress"));
    assertTrue(err().contains("--kill-node-at: '5s' is not TIME:NODE"), err());
    assertEquals(2, run("--nodes", "2", "--fault", "synthetic-1b=error", "--no-progress"));
    assertTrue(err().contains("--fault is not available with --nodes: the simulated workers run inside the node"
        + " JVMs"), err());
    assertEquals(2, run("--nodes", "2", "--replicas", "3", "--no-progress"));
    assertTrue(err().contains("--replicas is not available with --nodes"), err());
    assertEquals(2, run("--nodes", "0", "--no-progress"));
    assertTrue(err().contains("--nodes"), err());
  }

  @Test
  void parsesDurations() {
    assertEquals(60, SimulateCommand.seconds("--duration", "60"));
    assertEquals(0.5, SimulateCommand.seconds("--duration", "500ms"));
    assertEquals(120, SimulateCommand.seconds("--duration", "2m"));
  }
}
