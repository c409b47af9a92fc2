package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's limits as a client sees them, on a real {@code serve --config FILE} JVM in front of a mock upstream
 * whose every call costs 0.025 USD (11 tokens in, 7 out): tenant {@code capped} has {@code requests-per-minute = 2},
 * so its third request in the minute is 429 {@code rate_limit_exceeded} naming {@code requests-per-minute} with a
 * {@code Retry-After}; tenant {@code thrifty} has {@code budget-usd-per-day = 0.07}, so after two answered calls
 * (0.05 USD spent) the third, estimated at more than what is left, is 402 {@code budget_exhausted} naming
 * {@code budget-usd-per-day}, with a {@code Retry-After} until the next UTC day. The bodies are printed: they are
 * the examples of docs/HTTP-API.md, "Budgets and rate limits".
 */
class TenantLimitsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  static Path dir;

  private static final MockUpstreams MOCKS = new MockUpstreams();
  private static ServeProcess serve;
  private static String cappedKey;
  private static String thriftyKey;

  @BeforeAll
  static void start() throws Exception {
    String upstream = MOCKS.start("small", (exchange, request) -> {
      byte[] body = JSON.writeValueAsBytes(Map.of("id", "cmpl-1", "object", "chat.completion", "model", "small",
          "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
              "message", Map.of("role", "assistant", "content", "four"))),
          "usage", Map.of("prompt_tokens", 11, "completion_tokens", 7, "total_tokens", 18)));
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    });
    StringBuilder keys = new StringBuilder();
    cappedKey = KeysCommandTest.createKey(keys, "--tenant", "capped");
    thriftyKey = KeysCommandTest.createKey(keys, "--tenant", "thrifty");
    KeysCommandTest.createIdSecret(keys);
    String config = """
        switchyard.models {
          small { base-url = "%s", price { input-per-mtok = 1000, output-per-mtok = 2000 } }
        }
        switchyard.tenants {
          capped { requests-per-minute = 2 }
          thrifty { budget-usd-per-day = 0.07 }
        }
        """.formatted(upstream) + keys;
    Path file = dir.resolve("fleet.conf");
    Files.writeString(file, config);
    serve = ServeProcess.builder(dir.resolve("state"), null, dir.resolve("serve.log"))
        .args("--config", file.toString())
        .start()
        .awaitReady(Duration.ofSeconds(120));
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    MOCKS.close();
  }

  private static HttpResponse<String> chat(String key) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", "small", "max_tokens", 16,
        "messages", List.of(Map.of("role", "user", "content", "What is 2 + 2?"))));
    return CLIENT.send(HttpRequest.newBuilder(URI.create(serve.base() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void overItsRequestsPerMinuteATenantGets429NamingTheLimitWithRetryAfter() throws Exception {
    assertEquals(200, chat(cappedKey).statusCode());
    assertEquals(200, chat(cappedKey).statusCode());
    HttpResponse<String> refused = chat(cappedKey);
    System.out.println("429 " + refused.headers().map() + " " + refused.body());
    assertEquals(429, refused.statusCode(), refused.body());
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertEquals("rate_limit_error", error.path("type").asText());
    assertEquals("rate_limit_exceeded", error.path("code").asText());
    assertEquals("requests-per-minute", error.path("param").asText());
    assertTrue(error.path("message").asText().startsWith("tenant capped reached its limit of 2 requests per minute"),
        refused.body());
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "a slot frees within the minute: " + retryAfter);
  }

  @Test
  void overItsDailyBudgetATenantGets402NamingTheBudgetWithRetryAfterUntilTheNextDay() throws Exception {
    assertEquals(200, chat(thriftyKey).statusCode());
    assertEquals(200, chat(thriftyKey).statusCode());
    HttpResponse<String> refused = chat(thriftyKey);
    System.out.println("402 " + refused.headers().map() + " " + refused.body());
    assertEquals(402, refused.statusCode(), refused.body());
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertEquals("insufficient_quota", error.path("type").asText());
    assertEquals("budget_exhausted", error.path("code").asText());
    assertEquals("budget-usd-per-day", error.path("param").asText());
    assertTrue(error.path("message").asText().startsWith("tenant thrifty reached its budget-usd-per-day of 0.070000"
        + " USD: 0.050000 USD spent today (UTC)"), refused.body());
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 86_400, "the budget frees at the next UTC midnight: " + retryAfter);
  }
}
