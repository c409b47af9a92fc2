package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.ops.Secret;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.GenerationParams;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible backend against a local Pekko HTTP server that plays an inference server: the remote
 * model name in the request picks the server's behaviour.
 */
class OpenAiCompatibleBackendTest extends AllDirectives {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-test-0123456789abcdef";
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  // 2 USD per MTok in, 8 USD per MTok out, 0.5 J per token
  private static final ModelCard CARD = new ModelCard("llama-8b", 2.0, 8.0, 8192, 300, 0.5, Map.of());

  private static ActorSystem<Void> system;
  private static ServerBinding server;
  private static final Map<String, JsonNode> BODIES = new ConcurrentHashMap<>();
  private static final Map<String, Map<String, String>> HEADERS = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "backend-test", ConfigFactory.load());
    server = Http.get(system).newServerAt("127.0.0.1", 0).bind(new OpenAiCompatibleBackendTest().fakeServer())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Route fakeServer() {
    return path(org.apache.pekko.http.javadsl.server.PathMatchers.segment("v1").slash("chat").slash("completions"), () -> post(() ->
        extractRequest(request -> entity(Unmarshaller.entityToString(), body -> {
          JsonNode json;
          try {
            json = JSON.readTree(body);
          } catch (Exception e) {
            return complete(HttpResponse.create().withStatus(400));
          }
          String model = json.path("model").asText();
          BODIES.put(model, json);
          Map<String, String> headers = new ConcurrentHashMap<>();
          request.getHeaders().forEach(h -> headers.put(h.lowercaseName(), h.value()));
          HEADERS.put(model, headers);
          return switch (model) {
            case "ok" -> json(200, """
                {"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",
                 "content":"Paris"},"finish_reason":"stop","logprobs":{"content":[{"token":"Par","logprob":-0.2},
                 {"token":"is","logprob":-0.4}]}}],"usage":{"prompt_tokens":1000,"completion_tokens":500,
                 "total_tokens":1500}}""", List.of());
            case "tool-caller" -> json(200, """
                {"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",
                 "content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather",
                 "arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":200,"completion_tokens":20,"total_tokens":220}}""", List.of());
            case "no-usage" -> json(200, """
                {"choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}""",
                List.of());
            case "rate-limited" -> json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}",
                List.of(RawHeader.create("Retry-After", "2")));
            case "rate-limited-date" -> json(429, "{}",
                List.of(RawHeader.create("Retry-After", "Mon, 23 Nov 2026 12:00:05 GMT")));
            case "server-error" -> json(500, "<html>oops " + KEY + "</html>", List.of());
            case "unavailable" -> json(503, "{}", List.of(RawHeader.create("Retry-After", "4")));
            case "unauthorized" -> json(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}", List.of());
            case "forbidden" -> json(403, "{}", List.of());
            case "bad-request" -> json(400, "{\"error\":{\"message\":\"max_tokens is too large\"}}", List.of());
            case "malformed" -> json(200, "{\"choices\": \"not a list\"", List.of());
            case "html" -> complete(HttpResponse.create().withStatus(200)
                .withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, "<html>hello</html>")));
            case "ok-after-50ms" -> completeWithFuture(CompletableFuture.supplyAsync(() -> okResponse(),
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
            case "slow" -> completeWithFuture(CompletableFuture.supplyAsync(() -> HttpResponse.create(),
                CompletableFuture.delayedExecutor(3, TimeUnit.SECONDS)));
            case "streams" -> events("""
                data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

                data: {"choices":[{"index":0,"delta":{"content":"Par"},"logprobs":{"content":[{"token":"Par","logprob":-0.2}]}}]}

                : a comment line, ignored

                data: {"choices":[{"index":0,"delta":{"content":"is"},"logprobs":{"content":[{"token":"is","logprob":-0.4}]},"finish_reason":"stop"}]}

                data: {"choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}

                data: [DONE]

                """);
            case "streams-tools" -> events("""
                data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]}}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}]}

                data: [DONE]

                """);
            case "stream-cut" -> events("""
                data: {"choices":[{"index":0,"delta":{"content":"The answer is"}}]}

                """);
            case "stream-error" -> events("""
                data: {"choices":[{"index":0,"delta":{"content":"The"}}]}

                data: {"error":{"message":"engine died"}}

                """);
            default -> json(404, "{\"error\":{\"message\":\"model not found\"}}", List.of());
          };
        }))));
  }

  private Route json(int status, String body, List<org.apache.pekko.http.javadsl.model.HttpHeader> headers) {
    return complete(HttpResponse.create().withStatus(status).addHeaders(headers)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body)));
  }

  private static HttpResponse okResponse() {
    return HttpResponse.create().withStatus(200).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, """
        {"choices":[{"message":{"role":"assistant","content":"4"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":12,"completion_tokens":1,"total_tokens":13}}"""));
  }

  private Route events(String body) {
    return complete(HttpResponse.create().withStatus(200).withEntity(HttpEntities.create(
        org.apache.pekko.http.javadsl.model.MediaTypes.TEXT_EVENT_STREAM.toContentType(), body)));
  }

  /** A streamed call's pieces and its answer (or failure). */
  private record Streamed(List<String> pieces, CompletableFuture<Response> answer) {}

  private static Streamed stream(String remoteModel) {
    List<String> pieces = new java.util.concurrent.CopyOnWriteArrayList<>();
    var call = backend(remoteModel).stream(request("s/1").withStreamTokens(), pieces::add);
    return new Streamed(pieces, call.answer().toCompletableFuture());
  }

  private static OpenAiCompatibleBackend backend(String remoteModel, Duration timeout, AtomicLong nanos) {
    var settings = new OpenAiBackendSettings("llama-8b",
        URI.create("http://127.0.0.1:" + server.localAddress().getPort() + "/v1"), remoteModel, Secret.of(KEY),
        timeout, 4, true);
    return new OpenAiCompatibleBackend(system, settings, CARD, nanos::get, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static OpenAiCompatibleBackend backend(String remoteModel) {
    return backend(remoteModel, Duration.ofSeconds(10), new AtomicLong());
  }

  private static BackendRequest request(String attempt) {
    return new BackendRequest(attempt, "llama-8b",
        List.of(new ChatMessage("system", "Be brief."), ChatMessage.user("Capital of France?")),
        "Capital of France?", 64);
  }

  private static BackendException failure(String remoteModel) {
    return failure(backend(remoteModel));
  }

  private static BackendException failure(OpenAiCompatibleBackend backend) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> backend.complete(request("q1/1")).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof BackendException, "got " + e.getCause());
    BackendException b = (BackendException) e.getCause();
    assertFalse(b.getMessage().contains(KEY), "the API key never appears in errors");
    return b;
  }

  @Test
  void successMapsUsageToTokensCostAndLogprobsToConfidence() throws Exception {
    Response r = backend("ok").complete(request("query-7/2")).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertEquals("llama-8b", r.modelId());
    assertEquals("Paris", r.text());
    assertEquals(1000, r.inputTokens());
    assertEquals(500, r.outputTokens());
    assertEquals((1000 * 2.0 + 500 * 8.0) / 1e6, r.costUsd(), 1e-15);
    assertEquals(750.0, r.energyJoules(), 1e-9);
    assertEquals(-0.3, r.confidence(), 1e-12);
    assertNull(r.referenceScore(), "real backends know no reference score");
    assertNull(r.note());
  }

  @Test
  void sendsTheOpenAiRequestWithBearerKeyAndIdempotencyKey() throws Exception {
    backend("ok").complete(request("query-7/2")).toCompletableFuture().get(30, TimeUnit.SECONDS);

    Map<String, String> headers = HEADERS.get("ok");
    assertEquals("Bearer " + KEY, headers.get("authorization"));
    assertEquals("query-7/2", headers.get("idempotency-key"));
    JsonNode body = BODIES.get("ok");
    assertEquals("ok", body.get("model").asText());
    assertEquals(64, body.get("max_tokens").asInt());
    assertFalse(body.get("stream").asBoolean());
    assertTrue(body.get("logprobs").asBoolean());
    assertEquals("system", body.get("messages").get(0).get("role").asText());
    assertEquals("Capital of France?", body.get("messages").get(1).get("content").asText());
  }

  @Test
  void anUntracedBackendSendsNoTraceContextEvenForATracedRequest() throws Exception {
    backend("ok").complete(request("query-8/1").withTraceparent(
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toCompletableFuture().get(30, TimeUnit.SECONDS);

    Map<String, String> headers = HEADERS.get("ok");
    assertEquals("query-8/1", headers.get("idempotency-key"));
    assertFalse(headers.containsKey("traceparent"), headers.toString());
  }

  static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
      + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
  static final String EARLIER_CALLS = "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
      + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]";
  static final GenerationParams EVERY_FIELD = new GenerationParams(TOOLS,
      "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}", true,
      "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\",\"schema\":{\"type\":\"object\"}}}", 0.3, 0.8,
      "[\"END\"]", 11L, 0.25, -0.5, "{\"50256\":-100}", "alice");

  @Test
  void everyGenerationFieldAndToolMessageReachesTheServerUnchanged() throws Exception {
    List<ChatMessage> conversation = List.of(ChatMessage.user("Weather in Rome, then Paris?"),
        new ChatMessage("assistant", "", EARLIER_CALLS, null, null),
        new ChatMessage("tool", "21C", null, "call_1", "get_weather"));
    backend("tool-caller").complete(new BackendRequest("q/1", "llama-8b", conversation, "x", 32, EVERY_FIELD))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    JsonNode body = BODIES.get("tool-caller");
    assertEquals(JSON.readTree(TOOLS), body.get("tools"));
    assertEquals(JSON.readTree(EVERY_FIELD.toolChoice()), body.get("tool_choice"));
    assertTrue(body.get("parallel_tool_calls").asBoolean());
    assertEquals(JSON.readTree(EVERY_FIELD.responseFormat()), body.get("response_format"));
    assertEquals(0.3, body.get("temperature").asDouble());
    assertEquals(0.8, body.get("top_p").asDouble());
    assertEquals(JSON.readTree("[\"END\"]"), body.get("stop"));
    assertEquals(11L, body.get("seed").asLong());
    assertEquals(0.25, body.get("presence_penalty").asDouble());
    assertEquals(-0.5, body.get("frequency_penalty").asDouble());
    assertEquals(JSON.readTree("{\"50256\":-100}"), body.get("logit_bias"));
    assertEquals("alice", body.get("user").asText());
    assertEquals(32, body.get("max_tokens").asInt());
    JsonNode assistant = body.get("messages").get(1);
    assertTrue(assistant.get("content").isNull(), "a message that only called tools has null content");
    assertEquals(JSON.readTree(EARLIER_CALLS), assistant.get("tool_calls"));
    JsonNode tool = body.get("messages").get(2);
    assertEquals(JSON.readTree("{\"role\":\"tool\",\"content\":\"21C\",\"name\":\"get_weather\","
        + "\"tool_call_id\":\"call_1\"}"), tool);
  }

  @Test
  void noGenerationFieldIsSentThatTheClientDidNotGive() throws Exception {
    backend("ok").complete(request("q/1")).toCompletableFuture().get(30, TimeUnit.SECONDS);

    JsonNode body = BODIES.get("ok");
    List<String> sent = new java.util.ArrayList<>();
    body.fieldNames().forEachRemaining(sent::add);
    assertEquals(List.of("model", "messages", "max_tokens", "stream", "logprobs"), sent);
    assertEquals(JSON.readTree("{\"role\":\"system\",\"content\":\"Be brief.\"}"), body.get("messages").get(0));
  }

  @Test
  void toolCallsAndFinishReasonComeBackUnchangedWithTokensAndCost() throws Exception {
    Response r = backend("tool-caller").complete(new BackendRequest("q/2", "llama-8b",
        List.of(ChatMessage.user("Weather in Paris?")), "x", 0, EVERY_FIELD)).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);

    assertEquals("", r.text(), "no content");
    assertEquals(JSON.readTree("[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":"
        + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]"), JSON.readTree(r.toolCalls()));
    assertEquals("tool_calls", r.finishReason());
    assertEquals(200, r.inputTokens());
    assertEquals(20, r.outputTokens());
    // the card's prices: 2 USD per MTok in, 8 out
    assertEquals((200 * 2.0 + 20 * 8.0) / 1e6, r.costUsd(), 1e-15);
    assertEquals("stop", backend("ok").complete(request("q/3")).toCompletableFuture().get(30, TimeUnit.SECONDS)
        .finishReason());
    assertNull(backend("ok").complete(request("q/4")).toCompletableFuture().get(30, TimeUnit.SECONDS).toolCalls());
  }

  @Test
  void callsBeyondTheConnectionsWaitForOneInsteadOfFailing() throws Exception {
    OpenAiCompatibleBackend backend = backend("ok-after-50ms"); // 4 connections
    List<CompletableFuture<Response>> calls = java.util.stream.IntStream.range(0, 200)
        .mapToObj(i -> backend.complete(request("q" + i + "/1")).toCompletableFuture()).toList();

    for (CompletableFuture<Response> call : calls) {
      assertEquals("4", call.get(30, TimeUnit.SECONDS).text());
    }
  }

  @Test
  void callsSharedOutAmongSeveralConnectionPoolsAreAllAnswered() throws Exception {
    // four pools of one connection each: every call goes to the pool with the fewest in flight and waits there
    var settings = new OpenAiBackendSettings("llama-8b",
        URI.create("http://127.0.0.1:" + server.localAddress().getPort() + "/v1"), "ok-after-50ms", Secret.of(KEY),
        Duration.ofSeconds(10), 4, true, Duration.ofSeconds(10), 4);
    OpenAiCompatibleBackend backend = new OpenAiCompatibleBackend(system, settings, CARD, System::nanoTime,
        Clock.fixed(NOW, ZoneOffset.UTC));
    List<CompletableFuture<Response>> calls = java.util.stream.IntStream.range(0, 200)
        .mapToObj(i -> backend.complete(request("p" + i + "/1")).toCompletableFuture()).toList();

    for (CompletableFuture<Response> call : calls) {
      assertEquals("4", call.get(30, TimeUnit.SECONDS).text());
    }
    backend.close();
  }

  @Test
  void theConnectionsAreSharedOutAmongThePoolsAndNoPoolIsLeftWithout() {
    var settings = new OpenAiBackendSettings("llama-8b", URI.create("http://127.0.0.1:1/v1"), "m", null,
        Duration.ofSeconds(10), 10, false, Duration.ofSeconds(10), 4);
    assertEquals(List.of(3, 3, 2, 2), java.util.stream.IntStream.range(0, 4).map(settings::connectionsOfPool)
        .boxed().toList());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new OpenAiBackendSettings("llama-8b", URI.create("http://127.0.0.1:1/v1"), "m", null,
            Duration.ofSeconds(10), 2, false, Duration.ofSeconds(10), 3));
    assertTrue(e.getMessage().contains("connection-pools must be between 1 and max-connections (2), got 3"),
        e.getMessage());
  }

  @Test
  void latencyIsMeasuredWithTheInjectedMonotonicClock() throws Exception {
    // every reading advances 42 ms: one reading when the call is sent, one when the answer is in
    AtomicLong nanos = new AtomicLong();
    var settings = new OpenAiBackendSettings("llama-8b",
        URI.create("http://127.0.0.1:" + server.localAddress().getPort() + "/v1"), "ok", null,
        Duration.ofSeconds(10), 1, false);
    var b = new OpenAiCompatibleBackend(system, settings, CARD, () -> nanos.addAndGet(42_000_000L),
        Clock.fixed(NOW, ZoneOffset.UTC));
    assertEquals(42.0, b.complete(request("q/1")).toCompletableFuture().get(30, TimeUnit.SECONDS).latencyMs(), 1e-9);
    assertFalse(HEADERS.get("ok").containsKey("authorization"), "no key configured, no Authorization header");
  }

  @Test
  void missingUsageIsANoteNotAFailure() throws Exception {
    Response r = backend("no-usage").complete(request("q/1")).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals("hi", r.text());
    assertEquals(0.0, r.costUsd());
    assertNull(r.confidence());
    assertTrue(r.note().contains("no token usage"));
  }

  @Test
  void status429IsRateLimitedWithRetryAfter() {
    BackendException e = failure("rate-limited");
    assertEquals(BackendException.Kind.RATE_LIMITED, e.kind());
    assertEquals(Duration.ofSeconds(2), e.retryAfter());
    assertTrue(e.getMessage().contains("429") && e.getMessage().contains("Rate limit reached"), e.getMessage());
    assertFalse(e.countsAgainstBackend());
  }

  @Test
  void retryAfterAsHttpDateIsMeasuredFromTheClock() {
    BackendException e = failure("rate-limited-date");
    assertEquals(BackendException.Kind.RATE_LIMITED, e.kind());
    assertEquals(Duration.ofSeconds(5), e.retryAfter());
  }

  @Test
  void status5xxIsServerErrorWithoutEchoingTheBody() {
    BackendException e = failure("server-error");
    assertEquals(BackendException.Kind.SERVER_ERROR, e.kind());
    assertFalse(e.getMessage().contains("oops"));
    assertTrue(e.countsAgainstBackend());
    BackendException unavailable = failure("unavailable");
    assertEquals(BackendException.Kind.SERVER_ERROR, unavailable.kind());
    assertEquals(Duration.ofSeconds(4), unavailable.retryAfter());
  }

  @Test
  void status401And403AreUnauthorized() {
    assertEquals(BackendException.Kind.UNAUTHORIZED, failure("unauthorized").kind());
    assertEquals(BackendException.Kind.UNAUTHORIZED, failure("forbidden").kind());
  }

  @Test
  void otherStatus4xxIsClientError() {
    BackendException e = failure("bad-request");
    assertEquals(BackendException.Kind.CLIENT_ERROR, e.kind());
    assertTrue(e.getMessage().contains("max_tokens is too large"));
    assertEquals(BackendException.Kind.CLIENT_ERROR, failure("no-such-model").kind());
  }

  @Test
  void aStreamedCallAsksForEventsAndHandsOnEachPieceThenTheWholeAnswerWithUsageAndConfidence() throws Exception {
    Streamed s = stream("streams");
    Response r = s.answer().get(30, TimeUnit.SECONDS);

    assertEquals(List.of("Par", "is"), s.pieces());
    assertEquals("Paris", r.text());
    assertEquals("stop", r.finishReason());
    assertEquals(1000, r.inputTokens());
    assertEquals(500, r.outputTokens());
    assertEquals((1000 * 2.0 + 500 * 8.0) / 1e6, r.costUsd(), 1e-15);
    assertEquals(-0.3, r.confidence(), 1e-12);
    JsonNode sent = BODIES.get("streams");
    assertTrue(sent.path("stream").asBoolean(), sent.toString());
    assertTrue(sent.at("/stream_options/include_usage").asBoolean(), "usage comes in the last event");
  }

  @Test
  void streamedToolCallsAreAssembledFromTheirPieces() throws Exception {
    Streamed s = stream("streams-tools");
    Response r = s.answer().get(30, TimeUnit.SECONDS);

    assertEquals(List.of(), s.pieces(), "a tool call has no content to hand on");
    assertEquals("tool_calls", r.finishReason());
    JsonNode calls = JSON.readTree(r.toolCalls());
    assertEquals("call_9", calls.at("/0/id").asText());
    assertEquals("function", calls.at("/0/type").asText());
    assertEquals("get_weather", calls.at("/0/function/name").asText());
    assertEquals("{\"city\":\"Paris\"}", calls.at("/0/function/arguments").asText());
  }

  @Test
  void aStreamThatEndsBeforeItsLastEventIsAServerErrorAfterItsPieces() {
    Streamed s = stream("stream-cut");
    ExecutionException e = assertThrows(ExecutionException.class, () -> s.answer().get(30, TimeUnit.SECONDS));
    BackendException b = (BackendException) e.getCause();
    assertEquals(BackendException.Kind.SERVER_ERROR, b.kind());
    assertTrue(b.getMessage().contains("before the last event"), b.getMessage());
    assertEquals(List.of("The answer is"), s.pieces());
  }

  @Test
  void anErrorEventInTheStreamIsAServerErrorWithTheProvidersMessage() {
    Streamed s = stream("stream-error");
    ExecutionException e = assertThrows(ExecutionException.class, () -> s.answer().get(30, TimeUnit.SECONDS));
    BackendException b = (BackendException) e.getCause();
    assertEquals(BackendException.Kind.SERVER_ERROR, b.kind());
    assertTrue(b.getMessage().contains("engine died"), b.getMessage());
  }

  @Test
  void aServerThatAnswersAStreamedCallWithOneBodyGivesItsWholeAnswerAsOnePiece() throws Exception {
    Streamed s = stream("ok");
    assertEquals("Paris", s.answer().get(30, TimeUnit.SECONDS).text());
    assertEquals(List.of("Paris"), s.pieces());
  }

  @Test
  void aStreamedCallGetsTheSameFailuresAsAWholeOne() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stream("rate-limited").answer().get(30, TimeUnit.SECONDS));
    BackendException b = (BackendException) e.getCause();
    assertEquals(BackendException.Kind.RATE_LIMITED, b.kind());
    assertEquals(Duration.ofSeconds(2), b.retryAfter());
  }

  @Test
  void malformedBodyIsServerError() {
    BackendException e = failure("malformed");
    assertEquals(BackendException.Kind.SERVER_ERROR, e.kind());
    assertTrue(e.getMessage().contains("malformed"));
    assertEquals(BackendException.Kind.SERVER_ERROR, failure("html").kind());
  }

  @Test
  void noAnswerWithinTheRequestTimeoutIsTimeout() {
    BackendException e = failure(backend("slow", Duration.ofMillis(500), new AtomicLong()));
    assertEquals(BackendException.Kind.TIMEOUT, e.kind());
    assertTrue(e.countsAgainstBackend());
  }

  @Test
  void unreachableServerIsServerError() {
    var settings = new OpenAiBackendSettings("llama-8b", URI.create("http://127.0.0.1:1/v1"), "ok", null,
        Duration.ofSeconds(10), 1, false);
    BackendException e = failure(new OpenAiCompatibleBackend(system, settings, CARD));
    assertEquals(BackendException.Kind.SERVER_ERROR, e.kind());
    assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
  }

  @Test
  void secretNeverPrintsItsValue() {
    Secret s = Secret.of("sk-abc");
    assertEquals("Secret[redacted]", s.toString());
    assertFalse(List.of(s).toString().contains("sk-abc"));
    assertThrows(IllegalArgumentException.class, () -> Secret.of(" "));
  }
}
