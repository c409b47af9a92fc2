package dev.switchyard.strategies.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordedDatasetTest {
  @TempDir
  Path dir;

  private Path write(String... lines) throws IOException {
    Path file = dir.resolve("queries.jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  private static final String Q1 = """
      {"id":"t-train-0","task":"t","source_split":"train","prompt":"What is 2+2?","models":{\
      "small":{"correct":0,"cost_usd":0.001,"in_tokens":5,"out_tokens":1,"latency_ms":100,"logprob_conf":-1.5,"answer":"5"},\
      "large":{"correct":1,"cost_usd":0.01,"in_tokens":5,"out_tokens":1,"latency_ms":300,"logprob_conf":-0.1,"answer":"4"}}}""";
  private static final String Q2 = """
      {"id":"t-test-0","task":"t","source_split":"test","prompt":"Capital of France?","models":{\
      "small":{"correct":1,"cost_usd":0.002,"in_tokens":6,"out_tokens":2,"latency_ms":120,"logprob_conf":-0.2,"answer":"Paris"},\
      "large":{"correct":1,"cost_usd":0.02,"in_tokens":6,"out_tokens":2,"latency_ms":310,"logprob_conf":-0.05,"answer":"Paris"}}}""";

  @Test
  void readsEveryRecordedField() throws IOException {
    RecordedDataset data = RecordedDataset.load(write(Q1, Q2));

    assertEquals(2, data.size());
    assertEquals(java.util.List.of("small", "large"), data.models());
    RecordedOutcome small = data.queries().get(0).outcome("small");
    assertEquals(new RecordedOutcome(0, 0.001, 5, 1, 100, -1.5, "5"), small);
    assertTrue(data.costRecorded());
  }

  @Test
  void splitsByTheAuthorsSplit() throws IOException {
    RecordedDataset data = RecordedDataset.load(write(Q1, Q2));

    assertEquals("t-train-0", data.split("train").queries().get(0).id());
    assertEquals(1, data.split("test").size());
  }

  @Test
  void computesMeansAndTheBestSingleModel() throws IOException {
    RecordedDataset data = RecordedDataset.load(write(Q1, Q2));

    assertEquals(0.5, data.meanScore("small"));
    assertEquals(0.015, data.meanCost("large"), 1e-12);
    assertEquals("large", data.bestSingleModel());
  }

  @Test
  void acceptsRealValuedScoresAndMissingCostAsStrongCallShare() throws IOException {
    RecordedDataset data = RecordedDataset.load(write(
        "{\"id\":\"a\",\"prompt\":\"p\",\"models\":{\"x\":{\"score\":0.25},\"y\":{\"score\":0.75}}}",
        "{\"id\":\"b\",\"prompt\":\"q\",\"models\":{\"x\":{\"score\":0.5},\"y\":{\"score\":1.0}}}"));

    assertFalse(data.costRecorded());
    assertEquals(0.375, data.meanScore("x"));
    assertEquals(0.0, data.meanCost("x"));
    assertEquals(1.0, data.meanCost("y"), "the strongest model's calls count as strong calls");
    assertTrue(Double.isNaN(data.queries().get(0).outcome("x").confidence()));
  }

  @Test
  void namesTheFileAndLineOfMalformedJson() throws IOException {
    Path file = write(Q1, "{not json");

    DataFormatException e = assertThrows(DataFormatException.class, () -> RecordedDataset.load(file));

    assertTrue(e.getMessage().contains(file + ":2"), e.getMessage());
  }

  @Test
  void rejectsAModelWithoutScore() throws IOException {
    Path file = write("{\"id\":\"a\",\"prompt\":\"p\",\"models\":{\"x\":{\"cost\":1}}}");

    DataFormatException e = assertThrows(DataFormatException.class, () -> RecordedDataset.load(file));

    assertTrue(e.getMessage().contains("model 'x' has no numeric 'correct' or 'score'"), e.getMessage());
  }

  @Test
  void saysWhereItLookedWhenTheFileIsMissing() {
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> RecordedDataset.load(dir.resolve("absent.jsonl")));

    assertTrue(e.getMessage().contains("absent.jsonl"), e.getMessage());
  }

  @Test
  void refusesAnUnknownSplit() throws IOException {
    RecordedDataset data = RecordedDataset.load(write(Q1));

    assertThrows(DataFormatException.class, () -> data.split("validation"));
  }

  @Test
  void aGeneratedSplitIsStratifiedByTaskSeededAndKeepsEveryQuery() {
    List<RecordedQuery> queries = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String task = i < 30 ? "big-task" : "small-task";
      queries.add(new RecordedQuery("q" + i, task, "test", "prompt " + i,
          java.util.Map.of("m", new RecordedOutcome(1, 0.1, 10, 1, 100, Double.NaN, "A"))));
    }
    RecordedDataset testOnly = new RecordedDataset("t", List.of("m"), queries, true);
    assertFalse(testOnly.hasSplit("train"));
    RecordedDataset split = testOnly.withStratifiedSplit(5, 0.3);
    assertEquals(40, split.size());
    assertEquals(9, split.split("test").queries().stream().filter(q -> q.task().equals("big-task")).count(),
        "30% of 30");
    assertEquals(3, split.split("test").queries().stream().filter(q -> q.task().equals("small-task")).count(),
        "30% of 10");
    assertEquals(split.split("test").queries(), testOnly.withStratifiedSplit(5, 0.3).split("test").queries(),
        "the same seed gives the same split");
    assertFalse(split.split("test").queries().equals(testOnly.withStratifiedSplit(6, 0.3).split("test").queries()),
        "another seed another");
    assertThrows(IllegalArgumentException.class, () -> testOnly.withStratifiedSplit(5, 1.0));
  }
}
