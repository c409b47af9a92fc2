package dev.switchyard.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.ops.SwitchyardCli;
import dev.switchyard.ops.TinyDataset;
import dev.switchyard.ops.TinyServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench load --kind jobs} against the real engine: each request is a job, counted when answered 202. */
class BenchLoadJobsTest {
  @Test
  void jobsKindSubmitsJobsAndCountsTheAcceptedOnes(@TempDir Path dir) throws Exception {
    try (TinyServer server = TinyServer.start(dir.resolve("server"), 0)) {
      Path report = dir.resolve("jobs.json");
      CommandLine cli = SwitchyardCli.commandLine();
      StringWriter err = new StringWriter();
      cli.setOut(new PrintWriter(new StringWriter()));
      cli.setErr(new PrintWriter(err));
      int exit = cli.execute("bench", "load", "--url", server.base, "--kind", "jobs", "--requests", "8",
          "--concurrency", "2", "--data", TinyDataset.write(dir.resolve("data")).toString(),
          "--out", report.toString());

      assertEquals(0, exit, err.toString());
      JsonNode r = new ObjectMapper().readTree(report.toFile());
      assertEquals("jobs", r.get("kind").asText());
      assertEquals(8, r.get("status_counts").get("202").asInt());
      assertEquals(8, r.get("ok").asInt());
    }
  }
}
