package dev.switchyard.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.ops.TinyDataset;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.FakeEngine;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.switchyard.protocol.Durability;
import picocli.CommandLine;

/** {@code bench load} against the real HTTP server (scripted engine behind it) on 127.0.0.1. */
class LoadBenchmarkCommandTest {
  private static ScriptedApiServer server;
  private static FakeEngine engine;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    server = new ScriptedApiServer("bench-test");
    engine = server.engine;
    url = server.baseUrl;
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    return ScriptedApiServer.run(out, err, args);
  }

  @Test
  void sendsExactlyTheRequestedCountAndWritesTheReport(@TempDir Path dir) throws Exception {
    Path data = TinyDataset.write(dir);
    Path report = dir.resolve("out/load.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    engine.received.clear();

    int exit = run(out, err, "bench", "load", "--url", url, "--requests", "12", "--concurrency", "3",
        "--data", data.toString(), "--out", report.toString());

    assertEquals(0, exit, err.toString());
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    assertEquals(12, r.get("requests_sent").asInt());
    assertEquals(12, r.get("ok").asInt());
    assertEquals(0, r.get("errors").asInt());
    assertEquals("count", r.get("stopped_by").asText());
    assertEquals(12, r.get("answer_models").get("big-70b").asInt());
    assertEquals(0.00091, r.get("mean_cost_usd").asDouble(), 1e-12);
    assertTrue(r.get("latency_ms_ok").get("p50").asDouble() <= r.get("latency_ms_ok").get("p99").asDouble());
    // prompts come from the test split of the given data
    Set<String> testPrompts = Set.copyOf(TinyDataset.QUESTIONS.subList(4, 8));
    assertEquals(12, engine.received.size());
    engine.received.forEach(q -> assertTrue(testPrompts.contains(q.text()), q.text()));
    assertTrue(out.toString().contains("results written to " + report.toAbsolutePath()));
  }

  @Test
  void streamingRunsCheckEveryStreamEndsWithDone(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("load.json");
    int exit = run(new StringWriter(), new StringWriter(), "bench", "load", "--url", url, "--requests", "5",
        "--concurrency", "2", "--stream", "--data", TinyDataset.write(dir).toString(), "--out", report.toString());

    assertEquals(0, exit);
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    assertEquals(5, r.get("ok").asInt());
    assertEquals(0, r.get("incomplete_streams").asInt());
    assertEquals(5, r.get("answer_models").get("big-70b").asInt());
  }

  @Test
  void errorsAreCountedByStatus(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("load.json");
    StringWriter err = new StringWriter();
    int exit = run(new StringWriter(), err, "bench", "load", "--url", url, "--model", "test/overloaded",
        "--requests", "4", "--concurrency", "2", "--data", TinyDataset.write(dir).toString(),
        "--out", report.toString());

    assertEquals(1, exit, "no request succeeded");
    assertTrue(err.toString().contains("no request succeeded"));
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    assertEquals(4, r.get("status_counts").get("429").asInt());
  }

  @Test
  void durableChatAsksForDurableQueries(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("load.json");
    engine.durabilities.clear();
    int exit = run(new StringWriter(), new StringWriter(), "bench", "load", "--url", url, "--kind", "durable-chat",
        "--requests", "6", "--concurrency", "2", "--data", TinyDataset.write(dir).toString(),
        "--out", report.toString());

    assertEquals(0, exit);
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    assertEquals("durable-chat", r.get("kind").asText());
    assertEquals(6, r.get("ok").asInt());
    assertEquals(List.of(Durability.DURABLE, Durability.DURABLE, Durability.DURABLE, Durability.DURABLE,
        Durability.DURABLE, Durability.DURABLE), engine.durabilities);
  }

  @Test
  void anUnknownKindOrStreamedJobsIsAUsageErrorNamingTheFlag(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    assertEquals(2, run(new StringWriter(), err, "bench", "load", "--url", url, "--kind", "batch",
        "--out", dir.resolve("a.json").toString()));
    assertTrue(err.toString().contains("--kind must be chat, durable-chat or jobs, got batch"), err.toString());
    StringWriter err2 = new StringWriter();
    assertEquals(2, run(new StringWriter(), err2, "bench", "load", "--url", url, "--kind", "jobs", "--stream",
        "--out", dir.resolve("b.json").toString()));
    assertTrue(err2.toString().contains("--stream applies to chat completions"), err2.toString());
  }
}
