package dev.switchyard.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.FakeEngine;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench rate} against the real HTTP server (scripted engine behind it) on 127.0.0.1: each offered rate sends
 * rate x duration requests on schedule whatever the answers, counts refusals by kind, and bad flags are refused
 * naming the flag.
 */
class RateBenchmarkCommandTest {
  private static ScriptedApiServer server;
  private static FakeEngine engine;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    server = new ScriptedApiServer("bench-rate-test");
    engine = server.engine;
    url = server.baseUrl + "/v1/chat/completions";
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    return ScriptedApiServer.run(out, err, args);
  }

  @Test
  void eachRateSendsRateTimesDurationRequestsAndReportsTheirLatencyPercentiles(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("rate.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    engine.received.clear();

    int exit = run(out, err, "bench", "rate", "--url", url, "--model", "switchyard/cascade", "--rates", "40,80",
        "--warmup", "250ms", "--duration", "1s", "--connections", "4", "--label", "fake", "--out", report.toString());

    assertEquals(0, exit, err.toString());
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    assertEquals("fake", r.get("label").asText());
    assertEquals(4, r.get("connections").asInt());
    JsonNode first = r.get("rates").get(0);
    JsonNode second = r.get("rates").get(1);
    assertEquals(40.0, first.get("offered_rps").asDouble());
    assertEquals(40, first.get("sent").asInt(), "40 req/s for 1 s");
    assertEquals(40, first.get("ok").asInt());
    assertEquals(80, second.get("sent").asInt(), "80 req/s for 1 s");
    assertEquals(80, second.get("ok").asInt());
    assertEquals(0, second.get("errors").asInt());
    assertEquals(10 + 40 + 20 + 80, engine.received.size(), "each rate's warm-up is sent too, and not counted");
    JsonNode latency = second.get("latency_ms");
    assertTrue(latency.get("p50").asDouble() > 0, latency.toString());
    assertTrue(latency.get("p50").asDouble() <= latency.get("p99").asDouble()
        && latency.get("p99").asDouble() <= latency.get("p99.9").asDouble()
        && latency.get("p99.9").asDouble() <= latency.get("max").asDouble(), latency.toString());
    assertTrue(out.toString().contains("results written to " + report.toAbsolutePath()), out.toString());
  }

  @Test
  void refusedRequestsAreCountedByKindAndARunWithoutOneAnswerFails(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("refused.json");
    StringWriter err = new StringWriter();

    int exit = run(new StringWriter(), err, "bench", "rate", "--url", url, "--model", "test/overloaded",
        "--rates", "20", "--warmup", "0s", "--duration", "500ms", "--out", report.toString());

    assertEquals(1, exit, "nothing was answered");
    assertTrue(err.toString().contains("no request succeeded"), err.toString());
    JsonNode only = new ObjectMapper().readTree(report.toFile()).get("rates").get(0);
    assertEquals(10, only.get("errors").asInt());
    assertEquals(10, only.at("/error_kinds/http_429").asInt(), only.toString());
    assertTrue(only.at("/latency_ms/p50").isNull(), "no latency of an answered request: " + only);
  }

  @Test
  void badFlagsAreRefusedNamingTheFlag() {
    for (String[] bad : new String[][] {
        {"--connections", "0"}, {"--rates", "0"}, {"--duration", "soon"}, {"--warmup", "-1s"}}) {
      StringWriter err = new StringWriter();
      String[] args = new String[] {"bench", "rate", "--url", url, "--warmup", "0s", "--duration", "100ms",
          bad[0], bad[1]};
      assertEquals(2, run(new StringWriter(), err, args), String.join(" ", bad));
      assertTrue(err.toString().contains(bad[0]), bad[0] + ": " + err);
    }
    StringWriter err = new StringWriter();
    assertEquals(2, run(new StringWriter(), err, "bench", "rate", "--url", "http://192.0.2.1:9/v1/chat/completions"));
    assertTrue(err.toString().contains("loopback"), err.toString());
  }
}
