package dev.switchyard.simulator.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LearningBenchmarkCommandTest {
  @TempDir
  Path dir;

  private int run(StringWriter err, String... args) {
    CommandLine cli = new CommandLine(new LearningBenchmarkCommand());
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    cli.getErr().flush();
    return code;
  }

  @Test
  void missingDataFileFailsNamingThePath() {
    StringWriter err = new StringWriter();
    int code = run(err, "--data", dir.resolve("nope.jsonl").toString(), "--out", dir.toString());
    assertNotEquals(0, code);
    assertTrue(err.toString().contains("nope.jsonl"), err.toString());
  }

  @Test
  void unknownSectionIsRejected() throws Exception {
    Path file = dir.resolve("q.jsonl");
    Files.writeString(file, "{\"id\":\"a\",\"task\":\"t\",\"source_split\":\"train\",\"prompt\":\"p\","
        + "\"models\":{\"m\":{\"correct\":1,\"cost_usd\":1e-5}}}\n");
    StringWriter err = new StringWriter();
    int code = run(err, "--data", file.toString(), "--only", "everything", "--out", dir.toString());
    assertEquals(2, code);
    assertTrue(err.toString().contains("--only"), err.toString());
  }

  @Test
  void multiRoundSectionRunsOnASmallFileAndWritesTheResults() throws Exception {
    Path file = dir.resolve("q.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      String split = i < 24 ? "train" : "test";
      boolean easy = i % 2 == 0;
      sb.append("{\"id\":\"q").append(i).append("\",\"task\":\"t\",\"source_split\":\"").append(split)
          .append("\",\"prompt\":\"").append(easy ? "easy one" : "a much harder question here").append("\",")
          .append("\"models\":{\"small\":{\"correct\":").append(easy ? 1 : 0)
          .append(",\"cost_usd\":1e-5,\"logprob_conf\":").append(easy ? -0.01 : -2.0).append(",\"answer\":\"")
          .append(easy ? "A" : "B").append("\"},\"big\":{\"correct\":1,\"cost_usd\":1e-4,\"logprob_conf\":-0.1,")
          .append("\"answer\":\"A\"}}}\n");
    }
    Files.writeString(file, sb.toString());
    StringWriter err = new StringWriter();
    int code = run(err, "--data", file.toString(), "--only", "multi-round", "--out", dir.toString(), "--seed", "3");
    assertEquals(0, code, err.toString());
    String report = Files.readString(dir.resolve("learning-results.md"));
    assertTrue(report.contains("| router-r1 |"), report);
    assertTrue(report.contains("| confidence-cascade |"), report);
  }

  @Test
  void aMinusInfinityConfidenceInTheDataIsReadAsNotRecorded() throws Exception {
    // The shared recorded data holds 56 log-probability confidences of -Infinity.
    Path file = dir.resolve("inf.jsonl");
    Files.writeString(file, "{\"id\":\"a\",\"task\":\"t\",\"source_split\":\"train\",\"prompt\":\"p\","
        + "\"models\":{\"m\":{\"correct\":1,\"cost_usd\":1e-5,\"logprob_conf\":-Infinity}}}\n");
    var data = dev.switchyard.strategies.data.RecordedDataset.load(file);
    assertEquals(false, data.queries().get(0).outcome("m").hasConfidence());
  }
}
