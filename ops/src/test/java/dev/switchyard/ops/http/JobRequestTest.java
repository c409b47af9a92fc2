package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The jobs API's body: every numeric budget field is bounded by the ops reference.conf and named when refused. */
class JobRequestTest {
  private static final HttpSettings SETTINGS = HttpSettings.fromConfig(ConfigFactory.load());
  private static final ObjectMapper MAPPER = ChatCompletionRequest.mapper(SETTINGS);

  private static JobRequest parse(String budget) {
    String body = "{\"model\":\"switchyard/cascade\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
        + "\"steps\":[{\"messages\":[{\"role\":\"user\",\"content\":\"y\"}]}],\"budget\":" + budget + "}";
    return JobRequest.parse(body.getBytes(StandardCharsets.UTF_8), MAPPER, SETTINGS, SETTINGS.maxJobSteps());
  }

  @Test
  void budgetFieldsBeyondTheirBoundsAre400NamingTheField() {
    Map<String, List<String>> bad = new LinkedHashMap<>();
    // the defaults: max-job-deadline 7d = 604800 s, max-rounds-limit 1000, max-cost-usd-limit 1000
    bad.put("deadline_seconds", List.of("604801", "2.2e10", "-1", "1e400", "\"60\"", "-1e400"));
    bad.put("max_rounds", List.of("1001", "2.5", "-1", "1e2", "9223372036854775808", "false"));
    bad.put("max_cost_usd", List.of("1000.5", "-0.01", "1e400", "\"1\""));
    for (var field : bad.entrySet()) {
      for (String value : field.getValue()) {
        ApiError e = assertThrows(ApiError.class, () -> parse("{\"" + field.getKey() + "\":" + value + "}"),
            field.getKey() + "=" + value);
        assertEquals(400, e.status());
        assertEquals("budget." + field.getKey(), e.param(), field.getKey() + "=" + value);
        assertTrue(e.getMessage().contains("budget." + field.getKey()), e.getMessage());
      }
    }
  }

  @Test
  void budgetFieldsAtTheirBoundsAreTakenAsGiven() {
    JobRequest req = parse("{\"deadline_seconds\":604800,\"max_rounds\":1000,\"max_cost_usd\":1000}");

    assertEquals(604_800_000L, req.budget().deadlineMillis());
    assertEquals(1000, req.budget().maxRounds());
    assertEquals(1000, req.budget().maxCostUsd(), 0);
    assertEquals(500, parse("{\"deadline_seconds\":0.5}").budget().deadlineMillis(), "fractional seconds are fine");
    assertEquals(2, req.steps().size());
  }

  @Test
  void theBoundsComeFromConfiguration() {
    HttpSettings tight = HttpSettings.fromConfig(ConfigFactory.parseString(
        "switchyard.http { max-rounds-limit = 3, max-job-deadline = 10s }").withFallback(ConfigFactory.load()));
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"budget\":";
    ApiError rounds = assertThrows(ApiError.class, () -> JobRequest.parse((body + "{\"max_rounds\":4}}")
        .getBytes(StandardCharsets.UTF_8), MAPPER, tight, 8));
    assertEquals("budget.max_rounds", rounds.param());
    ApiError deadline = assertThrows(ApiError.class, () -> JobRequest.parse((body + "{\"deadline_seconds\":11}}")
        .getBytes(StandardCharsets.UTF_8), MAPPER, tight, 8));
    assertEquals("budget.deadline_seconds", deadline.param());
    assertTrue(deadline.getMessage().contains("10"), deadline.getMessage());
  }
}
