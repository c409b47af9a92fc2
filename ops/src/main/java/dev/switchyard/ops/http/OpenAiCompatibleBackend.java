package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendException.Kind;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.GenerationParams;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;
import scala.util.Try;

/**
 * A model behind an OpenAI-compatible {@code /chat/completions} endpoint (vLLM, SGLang, TGI, llama.cpp server,
 * Ollama, hosted APIs), called through Pekko HTTP's pooled client.
 *
 * <p>The request carries the messages as the client sent them ({@code tool_calls}, {@code tool_call_id},
 * {@code name}), {@code max_tokens}, and every generation field the client gave ({@link GenerationParams}: tools,
 * tool_choice, parallel_tool_calls, response_format, temperature, top_p, stop, seed, presence and frequency
 * penalties, logit_bias, user), JSON values unchanged. The answer's {@code tool_calls} and {@code finish_reason}
 * come back unchanged in the {@link Response}.
 *
 * <p>Mapping: {@code usage.prompt_tokens}/{@code completion_tokens} are the tokens; the cost is the model
 * card's price for them; the mean of the returned token log-probabilities (when asked for and given) is the
 * confidence (higher = surer, as the recorded {@code logprob_conf}); energy is the card's joules per token.
 * The attempt id travels as {@code Idempotency-Key}, so a provider that honours it bills a retried call once.
 *
 * <p>Failures, as {@link BackendException}: 429 is {@code RATE_LIMITED} with the {@code Retry-After} (seconds
 * or HTTP date; or {@code retry-after-ms}); 408 and no answer within {@code request-timeout} are
 * {@code TIMEOUT}; 401/403 {@code UNAUTHORIZED}; other 4xx {@code CLIENT_ERROR}; 5xx, unreachable servers and
 * malformed bodies {@code SERVER_ERROR}. Exception messages carry the provider's short error message at most,
 * never the API key or the prompt.
 *
 * <p>With tracing on, each call (a pool's retry is another call) is a CLIENT span, {@link AttemptSpan}, the child of
 * the request span its {@link BackendRequest#traceparent()} names; its own context goes upstream as
 * {@code traceparent}. Off, no span is made and no such header is sent.
 */
public final class OpenAiCompatibleBackend implements InferenceBackend {
  private static final long MAX_RESPONSE_BYTES = 16L * 1024 * 1024;
  private static final int MAX_ERROR_CHARS = 200;
  /** The longest server-sent event line taken from a streaming upstream. */
  private static final int MAX_EVENT_BYTES = 1024 * 1024;
  /**
   * Calls waiting for one of the endpoint's connections. Its worker never has more than its pool's concurrency
   * in flight, and that is far below this, so only calls a worker timed out but the server has not yet answered
   * can pile up here; past it a call fails at once instead of waiting without bound.
   */
  private static final int MAX_WAITING_CALLS = 4096;

  private final ActorSystem<?> system;
  private final OpenAiBackendSettings settings;
  private final ModelCard card;
  private final LongSupplier nanoTime;
  private final Clock wallClock;
  private final ObjectMapper mapper = new ObjectMapper();
  private final Materializer materializer;
  /** The path of {@code /chat/completions}, relative: the host is the connection pool's. */
  private final Uri completionsPath;
  /** This endpoint's connection pools ({@code connection-pools}); a call goes to the one with the fewest in flight. */
  private final List<ConnectionPool> pools;
  /** The Authorization header of every call, null without an api-key. */
  private final RawHeader authorization;
  /** A CLIENT span per call when on ({@link AttemptSpan}); off, a call makes none. */
  private final Tracing tracing;

  /**
   * @param nanoTime monotonic time source for latency (injected so tests control it)
   * @param wallClock for parsing HTTP-date {@code Retry-After} values
   * @param tracing a span per call (each attempt, a pool's retry included), or {@link Tracing#disabled()}
   */
  public OpenAiCompatibleBackend(ActorSystem<?> system, OpenAiBackendSettings settings, ModelCard card,
      LongSupplier nanoTime, Clock wallClock, Tracing tracing) {
    if (!card.id().equals(settings.modelId())) {
      throw new IllegalArgumentException("backend for " + settings.modelId() + " given the card of " + card.id());
    }
    this.system = system;
    this.settings = settings;
    this.card = card;
    this.nanoTime = nanoTime;
    this.wallClock = wallClock;
    this.tracing = tracing;
    // A connection that stays silent past the request timeout is closed, so an abandoned call frees its slot.
    ClientConnectionSettings connection = ClientConnectionSettings.create(system.classicSystem())
        .withIdleTimeout(settings.requestTimeout().plusSeconds(1))
        .withConnectingTimeout(settings.connectTimeout());
    this.materializer = Materializer.matFromSystem(system);
    // Parsed once: parsing the URI (and its host) for every call showed in the profile of the gateway benchmark.
    Uri completionsUri = Uri.create(settings.completionsUri().toString());
    this.completionsPath = completionsUri.toRelative();
    List<ConnectionPool> made = new ArrayList<>();
    for (int i = 0; i < settings.connectionPools(); i++) {
      ConnectionPoolSettings pool = ConnectionPoolSettings.create(system.classicSystem())
          .withMaxConnections(settings.connectionsOfPool(i))
          .withConnectionSettings(connection);
      made.add(new ConnectionPool(pool));
    }
    this.pools = List.copyOf(made);
    this.authorization = settings.apiKey() == null ? null
        : RawHeader.create("Authorization", "Bearer " + settings.apiKey().reveal());
  }

  public OpenAiCompatibleBackend(ActorSystem<?> system, OpenAiBackendSettings settings, ModelCard card,
      LongSupplier nanoTime, Clock wallClock) {
    this(system, settings, card, nanoTime, wallClock, Tracing.disabled());
  }

  public OpenAiCompatibleBackend(ActorSystem<?> system, OpenAiBackendSettings settings, ModelCard card) {
    this(system, settings, card, Tracing.disabled());
  }

  public OpenAiCompatibleBackend(ActorSystem<?> system, OpenAiBackendSettings settings, ModelCard card,
      Tracing tracing) {
    this(system, settings, card, System::nanoTime, Clock.systemUTC(), tracing);
  }

  @Override
  public String modelId() {
    return settings.modelId();
  }

  @Override
  public CompletionStage<Response> complete(BackendRequest request) {
    AttemptSpan attempt = tracing.enabled() ? AttemptSpan.start(tracing.tracer(), settings, request) : null;
    long started = nanoTime.getAsLong();
    CompletableFuture<Response> result = new CompletableFuture<>();
    send(request, attempt).thenCompose(response -> whole(response, started, attempt))
        .whenComplete((response, failure) -> {
          if (failure == null) {
            result.complete(response);
          } else {
            result.completeExceptionally(classify(failure));
          }
        });
    CompletableFuture<Response> call = withinRequestTimeout(result);
    return attempt == null ? call : attempt.endWith(call);
  }

  /**
   * Asks the upstream to stream ({@code stream: true}, usage in the last event) and hands each piece of content
   * to {@code tokens} as its server-sent event arrives. A server that answers with one JSON body instead (some
   * ignore {@code stream}) gives its whole content as one piece; an error status is the same failure as for
   * {@link #complete}; a stream that ends without {@code [DONE]} or a finish reason, or carries an error event,
   * fails with {@code SERVER_ERROR} (the worker makes that {@code STREAM_BROKEN} once a piece went out).
   */
  @Override
  public StreamingCall stream(BackendRequest request, Consumer<String> tokens) {
    AttemptSpan attempt = tracing.enabled() ? AttemptSpan.start(tracing.tracer(), settings, request) : null;
    long started = nanoTime.getAsLong();
    CompletableFuture<Response> result = new CompletableFuture<>();
    AtomicReference<UniqueKillSwitch> running = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    send(request, attempt).thenCompose(response -> {
      if (!isEventStream(response)) {
        return whole(response, started, attempt).thenApply(answer -> {
          if (!answer.text().isEmpty()) {
            tokens.accept(answer.text());
          }
          return answer;
        });
      }
      if (attempt != null) {
        attempt.status(response.status().intValue());
      }
      OpenAiStreamedAnswer answer = new OpenAiStreamedAnswer(this, mapper, tokens);
      var killable = response.entity().getDataBytes()
          .via(Framing.delimiter(ByteString.fromString("\n"), MAX_EVENT_BYTES, FramingTruncation.ALLOW))
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.foreach(line -> answer.onLine(line.utf8String())), Keep.both())
          .run(materializer);
      running.set(killable.first());
      if (cancelled.get()) {
        killable.first().abort(new TimeoutException("the call was timed out by its worker")); // before its headers came
      }
      return killable.second().thenApply(done -> answer.finish((nanoTime.getAsLong() - started) / 1_000_000.0));
    }).whenComplete((response, failure) -> {
      if (failure == null) {
        result.complete(response);
      } else {
        result.completeExceptionally(classify(failure));
      }
    });
    Runnable cancel = () -> {
      cancelled.set(true);
      UniqueKillSwitch kill = running.get();
      if (kill != null) {
        kill.abort(new TimeoutException("the call was timed out by its worker"));
      }
    };
    CompletableFuture<Response> call = withinRequestTimeout(result);
    return new StreamingCall((attempt == null ? call : attempt.endWith(call)).whenComplete((r, e) -> {
      if (e != null) {
        cancel.run(); // a timed-out stream must not keep its connection
      }
    }), cancel);
  }

  /** @param attempt the call's span, null when untraced: its context goes upstream as {@code traceparent} */
  private CompletionStage<HttpResponse> send(BackendRequest request, AttemptSpan attempt) {
    HttpRequest http = HttpRequest.create().withMethod(HttpMethods.POST).withUri(completionsPath)
        .addHeader(RawHeader.create("Idempotency-Key", request.attemptId()))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body(request)));
    if (authorization != null) {
      http = http.addHeader(authorization);
    }
    if (attempt != null) {
      http = http.addHeader(RawHeader.create("traceparent", attempt.traceparent()));
    }
    return leastBusyPool().offer(http);
  }

  private ConnectionPool leastBusyPool() {
    ConnectionPool least = pools.get(0);
    for (int i = 1; i < pools.size() && least.inFlight.get() > 0; i++) {
      ConnectionPool pool = pools.get(i);
      if (pool.inFlight.get() < least.inFlight.get()) {
        least = pool;
      }
    }
    return least;
  }

  /** Ends this endpoint's connection pools: calls still waiting fail, answers under way are not awaited. */
  @Override
  public void close() {
    pools.forEach(pool -> pool.upstream.complete());
  }

  /**
   * One host-level connection pool of the endpoint, a pool of its own (not Pekko's cached pool, which all pools of
   * the same host and settings would share), fed by a bounded queue: each call is offered with the future of its
   * response. A host-level pool rather than Http.singleRequest: the request-level API refuses a call once
   * max-open-requests (32 by default) are waiting for a connection, which a model whose concurrency exceeds that
   * reached at once under load (every refusal a server error, five of them an open circuit).
   */
  private final class ConnectionPool {
    private final BoundedSourceQueue<Tuple2<org.apache.pekko.http.scaladsl.model.HttpRequest,
        CompletableFuture<HttpResponse>>> upstream;
    /** Calls offered and not yet answered (their response's headers). */
    private final AtomicInteger inFlight = new AtomicInteger();

    ConnectionPool(ConnectionPoolSettings settings) {
      // Through the scaladsl: the javadsl's newHostConnectionPool(ConnectHttp, ...) takes the HTTPS context for
      // a plain http:// host too (Pekko HTTP 1.3.0), and its cachedHostConnectionPool is one pool per host and
      // settings, however many flows are made.
      org.apache.pekko.http.scaladsl.HttpExt http = org.apache.pekko.http.scaladsl.Http.apply(system.classicSystem());
      var poolSettings = (org.apache.pekko.http.scaladsl.settings.ConnectionPoolSettings) settings;
      URI target = OpenAiCompatibleBackend.this.settings.completionsUri();
      boolean https = "https".equals(target.getScheme());
      int port = target.getPort() != -1 ? target.getPort() : https ? 443 : 80;
      var log = system.classicSystem().log();
      var pool = https
          ? http.<CompletableFuture<HttpResponse>>newHostConnectionPoolHttps(target.getHost(), port,
              http.defaultClientHttpsContext(), poolSettings, log, materializer)
          : http.<CompletableFuture<HttpResponse>>newHostConnectionPool(target.getHost(), port, poolSettings, log,
              materializer);
      this.upstream = Source.<Tuple2<org.apache.pekko.http.scaladsl.model.HttpRequest,
              CompletableFuture<HttpResponse>>>queue(MAX_WAITING_CALLS)
          .via(pool)
          .to(Sink.foreach(answered -> {
            inFlight.decrementAndGet();
            Try<org.apache.pekko.http.scaladsl.model.HttpResponse> response = answered._1();
            if (response.isSuccess()) {
              answered._2().complete(response.get());
            } else {
              answered._2().completeExceptionally(response.failed().get());
            }
          }))
          .run(materializer);
    }

    CompletableFuture<HttpResponse> offer(HttpRequest http) {
      CompletableFuture<HttpResponse> response = new CompletableFuture<>();
      inFlight.incrementAndGet();
      // HttpRequest.create() makes the scaladsl's request, of which the javadsl's is the interface
      QueueOfferResult offered = upstream.offer(
          new Tuple2<>((org.apache.pekko.http.scaladsl.model.HttpRequest) http, response));
      if (offered != QueueOfferResult.enqueued()) {
        inFlight.decrementAndGet();
        response.completeExceptionally(new BackendException(Kind.SERVER_ERROR, "backend " + settings.modelId()
            + ": " + (offered == QueueOfferResult.dropped() ? MAX_WAITING_CALLS + " calls already wait for a"
                + " connection" : "the connection pool is closed")));
      }
      return response;
    }
  }

  /** The answer (or the failure) of a response read whole; {@code attempt} (null when untraced) hears of it. */
  private CompletionStage<Response> whole(HttpResponse response, long started, AttemptSpan attempt) {
    if (attempt != null) {
      attempt.status(response.status().intValue());
    }
    return response.entity().toStrict(settings.requestTimeout().toMillis(), MAX_RESPONSE_BYTES, materializer)
        .thenApply(strict -> interpret(response, strict.getData().utf8String(), started, attempt));
  }

  private static boolean isEventStream(HttpResponse response) {
    int status = response.status().intValue();
    return status >= 200 && status < 300
        && response.entity().getContentType().mediaType().equals(MediaTypes.TEXT_EVENT_STREAM);
  }

  private CompletableFuture<Response> withinRequestTimeout(CompletableFuture<Response> result) {
    return result.orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(classify(failure)));
  }

  private byte[] body(BackendRequest request) {
    ObjectNode body = mapper.createObjectNode();
    body.put("model", settings.remoteModel());
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage m : request.messages()) {
      ObjectNode message = messages.addObject().put("role", m.role());
      if (m.toolCalls() != null && m.content().isEmpty()) {
        message.putNull("content"); // a message that only called tools, as OpenAI writes it
      } else {
        message.put("content", m.content());
      }
      if (m.name() != null) {
        message.put("name", m.name());
      }
      if (m.toolCalls() != null) {
        message.set("tool_calls", tree(m.toolCalls()));
      }
      if (m.toolCallId() != null) {
        message.put("tool_call_id", m.toolCallId());
      }
    }
    if (request.maxTokens() > 0) {
      body.put("max_tokens", request.maxTokens());
    }
    GenerationParams p = request.params();
    putJson(body, "tools", p.tools());
    putJson(body, "tool_choice", p.toolChoice());
    if (p.parallelToolCalls() != null) {
      body.put("parallel_tool_calls", p.parallelToolCalls());
    }
    putJson(body, "response_format", p.responseFormat());
    if (p.temperature() != null) {
      body.put("temperature", p.temperature());
    }
    if (p.topP() != null) {
      body.put("top_p", p.topP());
    }
    putJson(body, "stop", p.stop());
    if (p.seed() != null) {
      body.put("seed", p.seed());
    }
    if (p.presencePenalty() != null) {
      body.put("presence_penalty", p.presencePenalty());
    }
    if (p.frequencyPenalty() != null) {
      body.put("frequency_penalty", p.frequencyPenalty());
    }
    putJson(body, "logit_bias", p.logitBias());
    if (p.user() != null) {
      body.put("user", p.user());
    }
    body.put("stream", request.streamTokens());
    if (request.streamTokens()) {
      body.putObject("stream_options").put("include_usage", true); // the last event then carries the usage
    }
    if (settings.logprobs()) {
      body.put("logprobs", true);
    }
    try {
      return mapper.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render request JSON", e);
    }
  }

  private void putJson(ObjectNode body, String field, String json) {
    if (json != null) {
      body.set(field, tree(json));
    }
  }

  /** A JSON value the HTTP layer validated and rendered; unreadable only through a bug. */
  private JsonNode tree(String json) {
    try {
      return mapper.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("a request's JSON field is not JSON", e);
    }
  }

  private Response interpret(HttpResponse response, String body, long started, AttemptSpan attempt) {
    int status = response.status().intValue();
    if (status >= 200 && status < 300) {
      return parseAnswer(body, (nanoTime.getAsLong() - started) / 1_000_000.0, attempt);
    }
    String detail = "backend " + settings.modelId() + " answered HTTP " + status + providerMessage(body);
    Duration retryAfter = retryAfter(response);
    if (status == 429) {
      throw new BackendException(Kind.RATE_LIMITED, detail, retryAfter);
    }
    if (status == 408) {
      throw new BackendException(Kind.TIMEOUT, detail, retryAfter);
    }
    if (status == 401 || status == 403) {
      throw new BackendException(Kind.UNAUTHORIZED, detail);
    }
    if (status >= 400 && status < 500) {
      throw new BackendException(Kind.CLIENT_ERROR, detail);
    }
    throw new BackendException(Kind.SERVER_ERROR, detail, retryAfter);
  }

  private Response parseAnswer(String body, double latencyMs, AttemptSpan attempt) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (IOException e) {
      throw malformed("the body is not JSON");
    }
    if (attempt != null && root != null) {
      attempt.responseModel(root.path("model").asText(null));
    }
    JsonNode choice = root == null ? null : root.path("choices").path(0);
    if (choice == null || !choice.isObject() || !choice.path("message").isObject()) {
      throw malformed("no choices[0].message");
    }
    JsonNode content = choice.path("message").path("content");
    if (!content.isTextual() && !content.isNull() && !content.isMissingNode()) {
      throw malformed("choices[0].message.content is not a string");
    }
    JsonNode toolCalls = choice.path("message").path("tool_calls");
    if (!toolCalls.isArray() && !toolCalls.isNull() && !toolCalls.isMissingNode()) {
      throw malformed("choices[0].message.tool_calls is not an array");
    }
    JsonNode finish = choice.path("finish_reason");
    String calls = toolCalls.isArray() && !toolCalls.isEmpty() ? toolCalls.toString() : null;
    LogprobMean logprobs = new LogprobMean();
    logprobs.add(choice);
    return answer(content.isTextual() ? content.asText() : "", calls, finish.isTextual() ? finish.asText() : null,
        root.path("usage"), logprobs.mean(), latencyMs);
  }

  /** The {@link Response} of a call, from the parts a whole body or a stream of chunks gave. */
  Response answer(String text, String toolCallsJson, String finishReason, JsonNode usage, Double meanLogprob,
      double latencyMs) {
    int in = usage.path("prompt_tokens").asInt(0);
    int out = usage.path("completion_tokens").asInt(0);
    String note = null;
    if (!usage.isObject()) {
      note = "the backend reported no token usage; cost counted as 0";
    } else if ("length".equals(finishReason)) {
      note = "finish_reason=length: the answer was cut at max_tokens";
    }
    return new Response(settings.modelId(), text, in, out, latencyMs, card.priceUsd(in, out),
        card.joulesPerToken() * (in + out), meanLogprob, null, note, toolCallsJson, finishReason);
  }

  BackendException malformed(String what) {
    return new BackendException(Kind.SERVER_ERROR, "backend " + settings.modelId() + " sent a malformed response: "
        + what);
  }

  /** A provider's error message as exceptions carry it: one line, at most {@code MAX_ERROR_CHARS}. */
  static String shortened(String message) {
    String text = message.replaceAll("\\p{Cntrl}", " ");
    return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "..." : text;
  }

  /** The provider's {@code error.message}, shortened; never the raw body. */
  private String providerMessage(String body) {
    try {
      JsonNode m = mapper.readTree(body).path("error").path("message");
      if (m.isTextual() && !m.asText().isBlank()) {
        return ": " + shortened(m.asText());
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: say nothing about the body
    }
    return "";
  }

  private Duration retryAfter(HttpResponse response) {
    Optional<String> ms = response.getHeader("retry-after-ms").map(h -> h.value().trim());
    if (ms.isPresent()) {
      try {
        return Duration.ofMillis(Math.max(0, (long) Double.parseDouble(ms.get())));
      } catch (NumberFormatException e) {
        // fall through to Retry-After
      }
    }
    Optional<String> value = response.getHeader("Retry-After").map(h -> h.value().trim());
    if (value.isEmpty()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.get())));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(wallClock.instant(), at.toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }

  private BackendException classify(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof BackendException b) {
      return b;
    }
    if (t instanceof TimeoutException) {
      return new BackendException(Kind.TIMEOUT, "backend " + settings.modelId() + " did not answer within "
          + settings.requestTimeout().toMillis() + " ms");
    }
    String reason = t.getClass().getSimpleName();
    return new BackendException(Kind.SERVER_ERROR, "backend " + settings.modelId() + " unreachable at "
        + settings.completionsUri().getHost() + ":" + settings.completionsUri().getPort() + " (" + reason + ")");
  }
}
