package dev.switchyard.simulator.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.simulator.cli.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvaluateCommandTest {
  @TempDir
  Path dir;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new EvaluateCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void missingDataFileIsReportedWithTheFlagAndThePath() {
    Path missing = dir.resolve("nope.jsonl");
    Run r = run("--data", missing.toString(), "--strategy", "confidence-cascade");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--data"), r.err());
    assertTrue(r.err().contains("nope.jsonl"), r.err());
    assertTrue(r.err().contains("not found"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void unknownStrategyIsNamedWithTheKnownOnes() throws Exception {
    Run r = run("--data", TinyData.twoModels(dir).toString(), "--strategy", "no-such-router");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--strategy 'no-such-router' is not a known strategy"), r.err());
    assertTrue(r.err().contains("confidence-cascade"), r.err());
  }

  @Test
  void malformedJsonLineIsNamedByItsLineNumber() throws Exception {
    Path file = TinyData.twoModels(dir);
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
    lines.set(2, "{\"id\": \"broken\", ");
    Files.write(file, lines);
    Run r = run("--data", file.toString(), "--strategy", "confidence-cascade");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("two.jsonl:3: not valid JSON"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void unknownSplitIsNamed() throws Exception {
    Run r = run("--data", TinyData.twoModels(dir).toString(), "--strategy", "confidence-cascade", "--split", "dev");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--split 'dev'"), r.err());
    assertTrue(r.err().contains("[test, train]"), r.err());
  }

  @Test
  void aFileWithoutATrainSplitIsSplitBySeedAndTaskAndTheOutputSaysSo() throws Exception {
    Path all = TinyData.synthetic(dir, 200, 7);
    Path testOnly = dir.resolve("test-only.jsonl");
    Files.write(testOnly, Files.readAllLines(all).stream().map(l -> l.replace("\"source_split\":\"train\"",
        "\"source_split\":\"test\"")).toList());
    Run r = run("--data", testOnly.toString(), "--strategy", "confidence-cascade", "--seed", "3");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("note: " + testOnly + " has no train split: strategies train and report on a"
        + " seeded split, stratified by task (seed 3, 30% of each task's queries in test)"), r.out());
    Run bad = run("--data", testOnly.toString(), "--strategy", "confidence-cascade", "--test-share", "1.5");
    assertEquals(ExitCode.USAGE, bad.exitCode());
    assertTrue(bad.err().contains("--test-share"), bad.err());
  }

  @Test
  void unknownBudgetRuleIsNamed() throws Exception {
    Run r = run("--data", TinyData.twoModels(dir).toString(), "--budget-rule", "spline");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--budget-rule 'spline'"), r.err());
  }

  @Test
  void writesSummaryFrontiersAndASelfContainedHtmlReport() throws Exception {
    Path data = TinyData.synthetic(dir, 300, 7);
    Path out = dir.resolve("report");
    Run r = run("--data", data.toString(), "--strategy", "confidence-cascade,agreement-cascade", "--out",
        out.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
    assertEquals(Reports.SUMMARY_HEADER, summary.get(0));
    assertTrue(summary.get(1).startsWith("confidence-cascade,"), summary.get(1));
    assertTrue(summary.get(2).startsWith("agreement-cascade,"), summary.get(2));
    assertEquals(List.of("single:small", "single:medium", "single:large", "random", "oracle"),
        summary.subList(3, summary.size()).stream().map(l -> l.substring(0, l.indexOf(','))).toList());
    String frontiers = Files.readString(out.resolve("frontiers.csv"));
    assertTrue(frontiers.startsWith(Reports.FRONTIERS_HEADER + "\n"));
    assertTrue(frontiers.contains("\nagreement-cascade,"));
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("<svg"), "inline SVG plot");
    assertTrue(html.contains("<polyline"), "frontier lines");
    assertTrue(html.contains("agreement-cascade"));
    assertFalse(html.contains("<script"), "no JavaScript");
    assertFalse(html.contains("<link"), "no external stylesheet");
    assertTrue(r.out().contains("agreement-cascade"), r.out());
  }

  @Test
  void sameSeedGivesIdenticalReports() throws Exception {
    Path data = TinyData.synthetic(dir, 300, 11);
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    String strategies = "confidence-cascade,agreement-cascade,baseline-task-best,baseline-knn25";
    assertEquals(0, run("--data", data.toString(), "--strategy", strategies, "--seed", "5", "--out", a.toString())
        .exitCode());
    assertEquals(0, run("--data", data.toString(), "--strategy", strategies, "--seed", "5", "--out", b.toString())
        .exitCode());
    assertEquals(Files.readString(a.resolve("summary.csv")), Files.readString(b.resolve("summary.csv")));
    assertEquals(Files.readString(a.resolve("frontiers.csv")), Files.readString(b.resolve("frontiers.csv")));
    assertEquals(Files.readString(a.resolve("report.html")), Files.readString(b.resolve("report.html")));
  }

  @Test
  void fileWithoutCostsIsEvaluatedWithStrongCallShareAsCost() throws Exception {
    Path file = dir.resolve("nocost.jsonl");
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String split = i < 20 ? "train" : "test";
      lines.add("{\"id\":\"q" + i + "\",\"task\":\"t\",\"source_split\":\"" + split + "\",\"prompt\":\"p" + i
          + "\",\"models\":{\"weak\":{\"score\":" + (i % 2 == 0 ? "0.5" : "0.0") + "},\"strong\":{\"score\":1.0}}}");
    }
    Files.write(file, lines);
    Path out = dir.resolve("nocost");
    Run r = run("--data", file.toString(), "--strategy", "baseline-task-best,agreement-cascade", "--out",
        out.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
    // weak is free (cost 0), strong costs 1 (a strong call): the best model costs 1, so every budget is a share.
    assertTrue(summary.contains("single:strong,,,,,1.0000,100.00,0.0000"), summary.toString());
    assertTrue(summary.contains("single:weak,0.2500,0.2500,0.2500,0.2500,0.2500,,0.0000"), summary.toString());
  }

  @Test
  void markdownPrintsThePerStrategyTable() throws Exception {
    Run r = run("--data", TinyData.synthetic(dir, 200, 3).toString(), "--strategy", "baseline-task-best",
        "--markdown");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("| strategy | class | when / signals / how |"), lines.get(0));
    assertTrue(lines.get(2).startsWith("| baseline-task-best | TaskBestRouter | pre_generation / query+model_metadata"
        + " / heuristic |"), lines.get(2));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("| oracle |")));
  }
}
