package dev.switchyard.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench fair} on a real one-node engine in this JVM (50 ms service time, 2 calls at once: 40 calls/s, a share
 * of 20/s per tenant): each run sends rate x duration queries per tenant on schedule, every query ends answered or
 * counted by why not, the noisy tenant's excess is refused, and bad flags are refused naming the flag. The figures
 * themselves are the benchmark's to report, not this test's to judge.
 */
class FairBenchmarkCommandTest {
  @Test
  void threeRunsOfTwoTenantsEachAccountForEveryQuery(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("fair.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = ScriptedApiServer.run(out, err, "bench", "fair", "--service-time", "50ms", "--concurrency", "2",
        "--quiet-load", "0.5", "--noisy-factor", "10", "--warmup", "0s", "--duration", "1s",
        "--state-dir", dir.resolve("state").toString(), "--out", report.toString());

    assertEquals(0, exit, err.toString());
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    assertEquals(40.0, r.get("capacity_rps").asDouble());
    assertEquals(10.0, r.get("quiet_rps").asDouble(), "half of its 20/s share");
    assertEquals(200.0, r.get("noisy_rps").asDouble(), "ten times its share");
    assertTrue(r.at("/runs/alone/noisy").isMissingNode(), "alone: the quiet tenant only");
    for (String run : new String[] {"alone", "fair", "fifo"}) {
      JsonNode quiet = r.at("/runs/" + run + "/quiet");
      assertEquals(10, quiet.get("sent").asInt(), run + ": 10/s for 1 s");
      assertEquals(10, quiet.get("answered").asInt() + sum(quiet.get("not_answered")), run + ": " + quiet);
    }
    assertTrue(r.at("/runs/fair/tenants_on_queries").asBoolean());
    assertTrue(!r.at("/runs/fifo/tenants_on_queries").asBoolean());
    for (String run : new String[] {"fair", "fifo"}) {
      JsonNode noisy = r.at("/runs/" + run + "/noisy");
      assertEquals(200, noisy.get("sent").asInt(), run);
      assertEquals(200, noisy.get("answered").asInt() + sum(noisy.get("not_answered")), run + ": " + noisy);
      assertTrue(noisy.at("/not_answered/refused_OVERLOADED").asInt() > 0,
          run + ": 200 in a second where 40 run and at most 64 wait: the rest refused, " + noisy);
    }
    assertTrue(r.at("/runs/alone/quiet/answered").asInt() > 0);
    assertTrue(r.at("/quiet_p99_over_alone").has("fair"), r.toString());
    assertTrue(out.toString().contains("results written to " + report.toAbsolutePath()), out.toString());
  }

  @Test
  void aBadFlagIsRefusedNamingIt(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    int exit = ScriptedApiServer.run(new StringWriter(), err, "bench", "fair", "--quiet-load", "0",
        "--state-dir", dir.toString(), "--out", dir.resolve("x.json").toString());
    assertEquals(2, exit);
    assertTrue(err.toString().contains("--quiet-load must be in (0, 10]"), err.toString());
  }

  private static int sum(JsonNode counts) {
    int n = 0;
    for (JsonNode c : counts) {
      n += c.asInt();
    }
    return n;
  }
}
