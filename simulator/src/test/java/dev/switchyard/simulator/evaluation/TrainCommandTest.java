package dev.switchyard.simulator.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.simulator.cli.ExitCode;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code switchyard train}: the artifact names what was fitted on what, carries the frontier on the held-out split
 * and the fitted state, which decides as a strategy fitted the same way; bad input is one line naming the flag.
 */
class TrainCommandTest {
  @TempDir
  Path dir;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new TrainCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  void writesAnArtifactThatDecidesAsTheStrategyFittedTheSameWay() throws Exception {
    Path data = TinyData.synthetic(dir, 300, 7);
    Path out = dir.resolve("policy.json");
    Run r = run("--data", data.toString(), "--strategy", "confidence-cascade", "--models", "small,large",
        "--param", "cost-weight=0.2", "--seed", "3", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("confidence-cascade fitted on 120 train queries"), r.out());

    PolicyArtifact a = PolicyArtifact.read(out);
    assertEquals(PolicyArtifact.FORMAT_VERSION, a.formatVersion());
    assertEquals("confidence-cascade", a.strategy());
    assertEquals(0.2, a.costWeight());
    assertEquals(List.of("small", "large"), a.models());
    assertEquals(PolicyArtifact.sha256(data), a.data().sha256());
    assertEquals(120, a.data().trainQueries());
    assertEquals(180, a.data().testQueries());
    assertFalse(a.data().generatedSplit());
    Strategy fresh = StrategyCatalog.all().get("confidence-cascade").get();
    assertEquals(fresh.tradeoffs().length, a.frontier().size(), "one frontier point per trade-off");
    assertTrue(a.frontier().stream().allMatch(p -> p.quality() >= 0 && p.quality() <= 1 && p.meanCostUsd() > 0));

    RecordedDataset two = RecordedDataset.load(data).restrictedTo(List.of("small", "large"));
    fresh.fit(two.split("train"), StrategyContext.seeded(3));
    Strategy restored = a.restore();
    var cards = ModelCatalog.fromRecorded(two.split("train"));
    for (var q : two.split("test").queries()) {
      assertEquals(OfflineReplay.run(fresh.planner(0.2), q, cards, Budget.unlimited(), "p", 0).calls(),
          OfflineReplay.run(restored.planner(0.2), q, cards, Budget.unlimited(), "p", 0).calls(), q.id());
    }
  }

  /**
   * A learner is built as a pipeline's train-data builds it and learns the train split; its artifact holds the
   * same header as an offline one and its parameters, which restore into a learner that decides as the trained
   * one did.
   */
  @Test
  void aLearnerLearnsTheTrainSplitAndItsArtifactHoldsItsState() throws Exception {
    Path data = TinyData.synthetic(dir, 300, 7);
    Path out = dir.resolve("ucb1.json");
    Run r = run("--data", data.toString(), "--strategy", "ucb1", "--models", "small,large", "--param",
        "cost-weight=0.1", "--param", "exploration=0.3", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("ucb1 learned on 120 train queries"), r.out());
    PolicyArtifact a = PolicyArtifact.read(out);
    assertEquals("ucb1", a.strategy());
    assertEquals(0.1, a.costWeight());
    assertEquals(java.util.Map.of("exploration", 0.3), a.params());
    assertEquals(List.of("small", "large"), a.models());
    assertEquals(PolicyArtifact.sha256(data), a.data().sha256());
    assertEquals(1, a.frontier().size());
    assertEquals(0.1, a.frontier().get(0).tradeoff());
    assertTrue(a.isLearner());
    assertEquals(120, a.learnerState().episodes(), "one learned episode per train query");
    double[] pulls = a.learnerState().parameters().get("pulls");
    assertEquals(120, pulls[0] + pulls[1], 1e-9);
    assertTrue(a.learnerState().costScale() > 0);

    var learner = a.learner(List.of("small", "large"), a.costWeight(), java.util.Map.of(), 1).get();
    var snapshot = a.snapshot(learner, List.of("small", "large"), 0);
    assertEquals(120, snapshot.episodes());
    assertEquals(120, learner.episodesLearned(), "restored: it goes on from the trained state");
  }

  @Test
  void aFileWithoutATrainSplitIsSplitAndTheArtifactAndOutputSaySo() throws Exception {
    Path all = TinyData.synthetic(dir, 200, 7);
    Path testOnly = dir.resolve("test-only.jsonl");
    Files.write(testOnly, Files.readAllLines(all).stream().map(l -> l.replace("\"source_split\":\"train\"",
        "\"source_split\":\"test\"")).toList());
    Path out = dir.resolve("p.json");
    Run r = run("--data", testOnly.toString(), "--strategy", "routellm-mf", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("note: " + testOnly + " has no train and test splits of its own"), r.out());
    assertTrue(PolicyArtifact.read(out).data().generatedSplit());
  }

  @Test
  void badInputIsOneLineNamingTheFlag() throws Exception {
    Path data = TinyData.synthetic(dir, 100, 7);
    Path out = dir.resolve("p.json");
    Run learner = run("--data", data.toString(), "--strategy", "threshold-bandit", "--out", out.toString());
    assertEquals(ExitCode.USAGE, learner.exitCode());
    assertTrue(learner.err().contains("--strategy threshold-bandit: learner threshold-bandit starts from recorded"
        + " outcomes: give train-data; an artifact holds a learner's online parameters only"), learner.err());
    Run learnerParam = run("--data", data.toString(), "--strategy", "ucb1", "--param", "sigma=1", "--out",
        out.toString());
    assertTrue(learnerParam.err().contains("--param sigma: strategy ucb1 has no such parameter; its parameters:"
        + " cost-weight, exploration"), learnerParam.err());
    Run unknown = run("--data", data.toString(), "--strategy", "scopee", "--out", out.toString());
    assertTrue(unknown.err().contains("--strategy 'scopee' is not a strategy of the catalog"), unknown.err());
    Run param = run("--data", data.toString(), "--strategy", "scope", "--param", "l2=3", "--out", out.toString());
    assertTrue(param.err().contains("--param l2: strategy scope has no such parameter"), param.err());
    Run model = run("--data", data.toString(), "--strategy", "scope", "--models", "small,huge", "--out",
        out.toString());
    assertTrue(model.err().contains("has no model 'huge'"), model.err());
    assertFalse(Files.exists(out), "nothing written on bad input");
  }
}
