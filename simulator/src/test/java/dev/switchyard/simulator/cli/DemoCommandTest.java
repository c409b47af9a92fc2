package dev.switchyard.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
  @TempDir
  Path workingDir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    DemoCommand command = new DemoCommand(DirectEngine.launcher(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), workingDir, ConfigFactory.load());
    return new CommandLine(command).execute(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void withoutRecordedDataItSaysWhereItLookedAndRunsOnTheSyntheticFleet() {
    int code = run("--limit", "80", "--latency-scale", "0", "--no-progress", "--concurrency", "8");
    assertEquals(0, code, err());
    Path looked = workingDir.resolve("../shared/data/zellinger-cascade9/queries.jsonl").normalize().toAbsolutePath();
    assertTrue(err().contains("no recorded data found at " + looked), err());
    assertTrue(err().contains("running on the seeded synthetic fleet"), err());
    String table = out();
    assertTrue(table.contains("data: synthetic fleet, seed 42"), table);
    for (String row : List.of("switchyard/cascade", "switchyard/bandit", "synthetic-1b", "synthetic-671b", "oracle",
        "calls per model")) {
      assertTrue(table.contains(row), row + " missing in\n" + table);
    }
    assertTrue(table.lines().anyMatch(l -> l.startsWith("switchyard/cascade") && l.contains(" 80 ")), table);
  }

  @Test
  void pipelinesChosenOnTheCommandLineAreReplayedAndAnUnknownOneIsAnError() {
    int code = run("--limit", "40", "--latency-scale", "0", "--no-progress", "--synthetic",
        "--pipelines", "switchyard/pilot,switchyard/scope");
    assertEquals(0, code, err());
    String table = out();
    assertTrue(table.lines().anyMatch(l -> l.startsWith("switchyard/pilot") && l.contains(" 40 ")), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("switchyard/scope") && l.contains(" 40 ")), table);
    assertFalse(table.lines().anyMatch(l -> l.startsWith("switchyard/cascade")), table);
    assertEquals(2, run("--limit", "5", "--no-progress", "--synthetic", "--pipelines", "switchyard/nope"));
    assertTrue(err().contains("does not serve pipeline switchyard/nope"), err());
  }

  @Test
  void aMissingDataFileIsAnErrorNamingTheFlagWithoutAStackTrace() {
    int code = run("--data", "nowhere/queries.jsonl", "--no-progress");
    assertEquals(2, code);
    assertTrue(err().contains("recorded data not found; looked at:\n  " + workingDir.resolve("nowhere/queries.jsonl")),
        err());
    assertFalse(err().contains("\tat "), err());
  }

  @Test
  void aMalformedDataFileIsAnErrorNamingTheLine() throws Exception {
    Files.writeString(workingDir.resolve("bad.jsonl"), "{\"id\": \"x\", \"prompt\": \"p\"}\n");
    assertEquals(2, run("--data", "bad.jsonl", "--no-progress"));
    assertTrue(err().contains("bad.jsonl:1: missing field 'models'"), err());
  }

  @Test
  void anEngineThatFailsToStartIsAFailureWithItsMessage() {
    DemoCommand command = new DemoCommand((setup, stateDir, config) -> {
      throw new IllegalStateException("journal unavailable: connection refused");
    }, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        workingDir, ConfigFactory.load());
    assertEquals(1, new CommandLine(command).execute("--synthetic", "--limit", "10", "--no-progress"));
    assertEquals("switchyard demo: error: journal unavailable: connection refused",
        err().strip());
  }

  @Test
  void badNumbersAreRefusedNamingTheFlag() {
    assertEquals(2, run("--concurrency", "0", "--synthetic", "--no-progress"));
    assertTrue(err().contains("--concurrency must be >= 1, got 0"), err());
    assertEquals(2, run("--latency-scale", "-1", "--synthetic", "--no-progress"));
    assertTrue(err().contains("--latency-scale must be a finite number >= 0, got -1.0"), err());
  }

  @Test
  void rendersOneRowPerPipelineAndBaselineAndTheCallsPerModel() {
    Map<String, RecordedOutcome> o = new LinkedHashMap<>();
    o.put("small", new RecordedOutcome(0, 0.001, 10, 1, 100, -1, "x"));
    o.put("big", new RecordedOutcome(1, 0.01, 10, 1, 400, -0.1, "y"));
    RecordedQuery q1 = new RecordedQuery("q1", "t", "test", "one", o);
    Map<String, RecordedOutcome> o2 = new LinkedHashMap<>();
    o2.put("small", new RecordedOutcome(1, 0.001, 10, 1, 200, -0.1, "y"));
    o2.put("big", new RecordedOutcome(1, 0.01, 10, 1, 500, -0.1, "y"));
    RecordedQuery q2 = new RecordedQuery("q2", "t", "test", "two", o2);
    RunStats cascade = new RunStats("switchyard/cascade");
    cascade.recordResult(q1, result("q1", "big", List.of("small", "big"), 0.011, 100, 400), 500);
    cascade.recordResult(q2, result("q2", "small", List.of("small"), 0.001, 200), 200);
    RunStats bandit = new RunStats("switchyard/bandit");
    bandit.recordResult(q1, result("q1", "small", List.of("small"), 0.001, 100), 100);
    bandit.recordFailure("OVERLOADED");
    String table = ReportTable.render(List.of(cascade, bandit), ReportTable.baselines(List.of("small", "big"),
        List.of(q1, q2)), List.of("small", "big"));
    assertEquals(String.join("\n",
        "                    queries  quality  cost/query USD  calls/query  p50 ms  p99 ms  failed",
        "------------------  -------  -------  --------------  -----------  ------  ------  ------",
        "switchyard/cascade        2   1.0000       6.000e-03         1.50     200     500       0",
        "switchyard/bandit         2   0.0000       5.000e-04         0.50     100     100       1",
        "------------------  -------  -------  --------------  -----------  ------  ------  ------",
        "small                     2   0.5000       1.000e-03         1.00     100     200       0",
        "big                       2   1.0000       1.000e-02         1.00     400     500       0",
        "oracle                    2   1.0000       5.500e-03         1.00     200     400       0",
        "",
        "calls per model",
        "model  switchyard/cascade  switchyard/bandit",
        "-----  ------------------  -----------------",
        "small                   2                  1",
        "big                     1                  0",
        ""), table);
  }

  @Test
  void theProgressBarPrintsTenthsWhenNotOnATerminal() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] now = {0};
    ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "p", 20,
        () -> now[0]);
    for (int i = 0; i < 20; i++) {
      now[0] += 100_000_000L;
      bar.advance(i != 3);
    }
    bar.finish();
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(10, lines.size(), String.join("\n", lines));
    assertEquals("p                    [##############################] 20/20 100.0%   10.0 q/s  failed 1",
        lines.get(9));
  }

  @Test
  void replaysTheRecordedDataWhenPresent() {
    Path data = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"),
        "zellinger-cascade9", "queries.jsonl").toAbsolutePath();
    Assumptions.assumeTrue(Files.isRegularFile(data), "recorded data not found at " + data + "; skipping");
    int code = run("--data", data.toString(), "--limit", "400", "--latency-scale", "0", "--no-progress");
    assertEquals(0, code, err());
    System.out.println(out());
    assertTrue(out().contains("gpt-4o-mini"), out());
    assertTrue(err().isEmpty(), err());
  }

  private static QueryResult result(String id, String answerModel, List<String> called, double cost,
      double... latencies) {
    List<EpisodeStep> steps = new java.util.ArrayList<>();
    for (int i = 0; i < latencies.length; i++) {
      steps.add(EpisodeStep.generated(i + 1, new Response(called.get(i), "", 1, 1, latencies[i], 0, 0, null, null,
          null)));
    }
    Episode e = new Episode(id, "p", "t", "", steps, answerModel, "a", cost, 0, null, 0, 0, 0);
    return new QueryResult(id, "p", "a", answerModel, called, called.size(), cost, 0, 0, 0, null, e);
  }
}
