package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.QueryProgress;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.journal.JournalStatus;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Rejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: {@code POST /v1/chat/completions} (OpenAI-compatible, with SSE streaming), the jobs API
 * ({@code POST /v1/jobs}, {@code GET}/{@code DELETE /v1/jobs/{id}}, {@code GET /v1/jobs/{id}/events} as SSE with
 * resumable event ids), {@code POST /v1/feedback}, {@code GET /v1/models}, {@code GET /health}, {@code GET /ready},
 * {@code GET /metrics} (Prometheus text format, see {@link HttpMetrics}; every {@code /v1} request is counted and
 * timed there by route, pipeline and status).
 *
 * <p>Guarantees: every error is OpenAI's error JSON with a fitting status (400 bad input, 404 unknown pipeline
 * or route, 405 wrong method, 413 body too large, 429/503 with {@code Retry-After} when the engine refuses,
 * 504 on timeout, 500 otherwise with a reference id and nothing else); request bodies are read with a size
 * limit and parsed with tight JSON limits before anything reaches the engine; request content is never
 * logged. Streaming responses render SSE frames by hand ({@code data: <json>\n\n}, then
 * {@code data: [DONE]\n\n}) because pekko-http's SSE support omits the space after {@code data:}.
 */
public final class ApiRoutes extends AllDirectives {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
  private static final ByteString DONE = ByteString.fromString("data: [DONE]\n\n");
  private static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");
  /** The Prometheus text exposition format, version 0.0.4 (what every Prometheus server scrapes). */
  private static final ContentType PROMETHEUS_TEXT = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final Engine engine;
  private final HttpSettings settings;
  private final Clock clock;
  private final Supplier<String> ids;
  private final BooleanSupplier ready;
  private final Drain drain;
  private final HttpMetrics metrics;
  private final ObjectMapper requestMapper;
  private final OpenAiJson json;
  private final JobJson jobJson;
  private final long startedAtSeconds;

  /**
   * @param ids source of unique request ids (the query id is {@code chatcmpl-<id>})
   * @param ready false while the node starts or drains; {@code /ready} then answers 503
   */
  public ApiRoutes(Engine engine, HttpSettings settings, Clock clock, Supplier<String> ids, BooleanSupplier ready) {
    this(engine, settings, clock, ids, ready, new Drain());
  }

  /**
   * @param drain ends shortly before the shutdown drain deadline: every request still unanswered then gets a 503
   *     {@code shutting_down} error, and every open stream ends with a {@code shutting_down} error event (and, for
   *     chat, {@code data: [DONE]}), instead of being cut by the server's termination
   */
  public ApiRoutes(Engine engine, HttpSettings settings, Clock clock, Supplier<String> ids, BooleanSupplier ready,
      Drain drain) {
    this(engine, settings, clock, ids, ready, drain, HttpMetrics.disabled());
  }

  /** @param metrics the node's registry: what {@code GET /metrics} renders and the API records into */
  public ApiRoutes(Engine engine, HttpSettings settings, Clock clock, Supplier<String> ids, BooleanSupplier ready,
      Drain drain, HttpMetrics metrics) {
    this.drain = drain;
    this.metrics = metrics;
    this.engine = engine;
    this.settings = settings;
    this.clock = clock;
    this.ids = ids;
    this.ready = ready;
    this.requestMapper = ChatCompletionRequest.mapper(settings);
    this.json = new OpenAiJson(new ObjectMapper());
    this.jobJson = new JobJson(json);
    this.startedAtSeconds = clock.instant().getEpochSecond();
  }

  public Route route() {
    Route api = concat(
        path(PathMatchers.segment("v1").slash("chat").slash("completions"), () ->
            post(() -> metered("chat_completions", meter -> extractRequestEntity(entity -> extractMaterializer(mat ->
                completeWithFuture(untilDrained(chatCompletion(entity, mat, meter)))))))),
        path(PathMatchers.segment("v1").slash("feedback"), () ->
            post(() -> metered("feedback", meter -> extractRequestEntity(entity -> extractMaterializer(mat ->
                completeWithFuture(untilDrained(feedback(entity, mat)))))))),
        path(PathMatchers.segment("v1").slash("jobs"), () ->
            post(() -> metered("jobs", meter -> extractRequestEntity(entity -> extractMaterializer(mat ->
                optionalHeaderValueByName("Idempotency-Key", key ->
                    completeWithFuture(untilDrained(submitJob(entity, mat, key, meter))))))))),
        path(PathMatchers.segment("v1").slash("jobs").slash(PathMatchers.segment()).slash("events"), id ->
            get(() -> metered("job_events", meter -> optionalHeaderValueByName("Last-Event-ID", last ->
                completeWithFuture(untilDrained(jobEvents(id, last))))))),
        path(PathMatchers.segment("v1").slash("jobs").slash(PathMatchers.segment()), id -> concat(
            get(() -> metered("job", meter -> completeWithFuture(untilDrained(getJob(id))))),
            delete(() -> metered("job_cancel", meter -> completeWithFuture(untilDrained(cancelJob(id))))))),
        path(PathMatchers.segment("v1").slash("models"), () ->
            get(() -> metered("models", meter -> extractRequest(r ->
                complete(jsonResponse(200, json.models(engine.pipelines(), startedAtSeconds), List.of())))))),
        path("health", () -> get(() -> complete(jsonResponse(200, status("ok"), List.of())))),
        path("ready", () -> get(() -> extractRequest(r -> complete(readiness())))),
        path("metrics", () -> get(() -> extractActorSystem(system -> completeWithFuture(scrape(system))))),
        new AdminRoutes(engine, json, this::readBody, this::errorResponse).route());
    return handleExceptions(exceptionHandler(), () -> handleRejections(rejectionHandler(), () -> api));
  }

  /**
   * 200 while serving; 503 while starting or draining, or while the journal cannot write (then {@code journal}
   * says why and since when: durable work is refused meanwhile, ephemeral chat still answers).
   */
  private HttpResponse readiness() {
    JournalStatus journal = engine.journal();
    boolean up = ready.getAsBoolean() && !engine.pipelines().isEmpty() && journal.writable();
    ObjectNode body = status(up ? "ready" : "not_ready");
    ObjectNode j = body.putObject("journal");
    j.put("status", journal.writable() ? "writable" : "unavailable");
    if (!journal.writable()) {
      j.put("code", "journal_unavailable");
      j.put("message", "the journal cannot write: " + ApiError.excerptLong(journal.reason()));
      j.put("since", journal.since().toString());
    }
    List<HttpHeader> headers = journal.writable() ? List.of()
        : List.of(RawHeader.create("Retry-After", Long.toString(retryAfterSeconds(DEFAULT_RETRY_AFTER))));
    return jsonResponse(up ? 200 : 503, body, headers);
  }

  /**
   * {@code inner} with a fresh {@link HttpMetrics.Request} per request, recorded when its response is ready
   * (requests refused before a route takes them, e.g. 405, are not counted).
   */
  private Route metered(String route, java.util.function.Function<HttpMetrics.Request, Route> inner) {
    return extractRequestContext(ctx -> {
      HttpMetrics.Request meter = metrics.start(route);
      return mapResponse(response -> {
        meter.completed(response.status().intValue());
        return response;
      }, () -> inner.apply(meter));
    });
  }

  /**
   * {@code GET /metrics}: every meter of the node in the Prometheus text format. Rendered on the blocking
   * dispatcher: a scrape reads meters (never asks an actor), but its CPU time should not delay the API's own.
   */
  private CompletionStage<HttpResponse> scrape(org.apache.pekko.actor.ActorSystem system) {
    java.util.concurrent.Executor blocking = system.dispatchers().lookup("pekko.actor.default-blocking-io-dispatcher");
    return CompletableFuture.supplyAsync(() -> metrics.scrape()
        .map(text -> HttpResponse.create().withStatus(200).withEntity(HttpEntities.create(PROMETHEUS_TEXT,
            text.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .orElseGet(() -> errorResponse(new ApiError(404, "invalid_request_error", "metrics are disabled on this "
            + "node (switchyard.metrics.enabled = off)", null, "metrics_disabled", null))), blocking);
  }

  private ObjectNode status(String status) {
    ObjectNode node = json.mapper().createObjectNode();
    node.put("status", status);
    return node;
  }

  // ---------------------------------------------------------------- chat completions

  /**
   * The request body, at most {@code max-body-bytes} (declared or chunked: 413 either way; our own limit rather
   * than pekko's max-content-length) within {@code body-read-timeout} (else 408).
   */
  private CompletionStage<byte[]> readBody(RequestEntity entity, Materializer mat) {
    if (entity.getContentLengthOption().orElse(0L) > settings.maxBodyBytes()) {
      entity.discardBytes(mat);
      return CompletableFuture.failedFuture(tooLarge());
    }
    return entity.withoutSizeLimit().getDataBytes()
        .limitWeighted(settings.maxBodyBytes(), bytes -> (long) bytes.size())
        .completionTimeout(settings.bodyReadTimeout())
        .runFold(ByteString.emptyByteString(), ByteString::concat, mat)
        .<byte[]>thenApply(ByteString::toArray)
        .exceptionally(failure -> {
          if (unwrap(failure) instanceof TimeoutException) {
            throw new ApiError(408, "invalid_request_error", "the request body did not arrive within "
                + settings.bodyReadTimeout().toMillis() + " ms", null, "request_timeout", null);
          }
          throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        });
  }

  private CompletionStage<HttpResponse> chatCompletion(RequestEntity entity, Materializer mat,
      HttpMetrics.Request meter) {
    CompletionStage<HttpResponse> response = readBody(entity, mat)
        .thenCompose(body -> {
          ChatCompletionRequest req = ChatCompletionRequest.parse(body, requestMapper, settings);
          requireKnownPipeline(req.model());
          meter.pipeline(req.model());
          String id = "chatcmpl-" + ids.get();
          Query query = new Query(id, req.messages(), req.task(), req.budget(), req.maxTokens(), req.params());
          long created = clock.instant().getEpochSecond();
          return req.stream() ? streamed(req, query, id, created, mat, meter) : answered(req, query, id, created);
        });
    return response.exceptionally(this::errorResponse);
  }

  /**
   * {@code POST /v1/feedback {"query_id": "chatcmpl-...", "reward": 0..1, "source": "user", "replace": false}}: a
   * reward for a finished query, which the pipeline's learner (if any) learns from. With real backends this is
   * how learned pipelines get their signal. A query (or job) takes one reward: another is 409
   * {@code feedback_exists} unless {@code "replace": true}, which records the new reward on the query without
   * the learner learning the query again.
   */
  private CompletionStage<HttpResponse> feedback(RequestEntity entity, Materializer mat) {
    return readBody(entity, mat)
        .thenCompose(body -> {
          var json = ChatCompletionRequest.readObject(body, requestMapper);
          var id = json.get("query_id");
          var jobId = json.get("job_id");
          boolean hasQuery = id != null && !id.isNull();
          boolean hasJob = jobId != null && !jobId.isNull();
          if (hasQuery && hasJob) {
            throw ApiError.invalid("job_id", "give either 'query_id' or 'job_id', not both");
          }
          if (!hasQuery && !hasJob) {
            throw ApiError.missing("query_id");
          }
          String field = hasJob ? "job_id" : "query_id";
          var target = hasJob ? jobId : id;
          if (!target.isTextual() || target.asText().isBlank() || target.asText().length() > 128) {
            throw ApiError.invalid(field, hasJob ? "'job_id' must be the id of a job (1..128 characters)"
                : "'query_id' must be the id of a chat completion (1..128 characters)");
          }
          var reward = json.get("reward");
          if (reward == null || reward.isNull()) {
            throw ApiError.missing("reward");
          }
          if (!reward.isNumber() || !(reward.asDouble() >= 0 && reward.asDouble() <= 1)) {
            throw ApiError.invalid("reward", "'reward' must be a number from 0 (wrong) to 1 (right)");
          }
          var source = json.get("source");
          if (source != null && !source.isNull() && (!source.isTextual() || source.asText().length() > 64)) {
            throw ApiError.invalid("source", "'source' must be a string of at most 64 characters");
          }
          String src = source == null || source.isNull() ? "user" : source.asText();
          var replaceNode = json.get("replace");
          if (replaceNode != null && !replaceNode.isNull() && !replaceNode.isBoolean()) {
            throw ApiError.invalid("replace", "'replace' must be true or false");
          }
          boolean replace = replaceNode != null && replaceNode.asBoolean(false);
          CompletionStage<String> queryId = hasJob ? finalEpisodeOf(target.asText())
              : CompletableFuture.completedFuture(target.asText());
          return queryId.thenCompose(q -> withTimeout(engine.feedback(new Feedback(q, reward.asDouble(), src,
                  replace)), settings.answerTimeout())
              .thenApply(done -> {
                ObjectNode ok = status("accepted");
                if (hasJob) {
                  ok.put("job_id", target.asText());
                }
                ok.put("query_id", q);
                return jsonResponse(200, ok, List.of());
              }))
              .exceptionally(failure -> {
                // the query (or the job's final step) has its reward: 409, and how to replace it
                if (unwrap(failure) instanceof EngineRejection r && r.reason() == EngineRejection.Reason.CONFLICT) {
                  throw new ApiError(409, "invalid_request_error", ApiError.excerptLong(r.getMessage()), field,
                      "feedback_exists", null);
                }
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
              });
        })
        .exceptionally(this::errorResponse);
  }

  /**
   * The query id of a job's final episode (its last step), which a reward for the job goes to, so the pipeline's
   * learner learns from it like from any query's reward. The job must have ended with a step that ran.
   */
  private CompletionStage<String> finalEpisodeOf(String jobId) {
    return withTimeout(engine.job(jobId), settings.answerTimeout()).thenApply(job -> {
      if (!job.status().terminal()) {
        throw new ApiError(409, "invalid_request_error", "job " + ApiError.excerpt(jobId) + " is "
            + job.status().wire() + "; feedback is taken once it has ended", "job_id", "job_not_ended", null);
      }
      return job.steps().stream().filter(dev.switchyard.actors.job.JobView.StepView::finished)
          .reduce((a, b) -> b)
          .map(dev.switchyard.actors.job.JobView.StepView::queryId)
          .orElseThrow(() -> ApiError.invalid("job_id", "job " + ApiError.excerpt(jobId)
              + " ended before any step ran; there is no episode to reward"));
    });
  }

  // ---------------------------------------------------------------- jobs

  /**
   * {@code POST /v1/jobs}: 202 with the job and {@code Location} once the engine has journaled its acceptance
   * (any failure before that is an error, never a 202). With {@code Idempotency-Key} the key determines the job id,
   * so a repeat returns the same job (header {@code Idempotent-Replayed: true}); the same key with a different
   * body is 422 {@code idempotency_key_reused}, as the IETF Idempotency-Key draft recommends.
   */
  private CompletionStage<HttpResponse> submitJob(RequestEntity entity, Materializer mat, Optional<String> key,
      HttpMetrics.Request meter) {
    return readBody(entity, mat)
        .thenCompose(body -> {
          JobRequest req = JobRequest.parse(body, requestMapper, settings, settings.maxJobSteps());
          requireKnownPipeline(req.model());
          meter.pipeline(req.model());
          String id = key.isPresent() ? jobIdFor(key.get()) : "job-" + ids.get();
          JobSpec spec = new JobSpec(id, req.model(), req.steps(), req.task(), req.budget());
          return withTimeout(engine.submitJob(spec), settings.answerTimeout()).thenApply(accepted -> {
            List<HttpHeader> headers = new ArrayList<>();
            headers.add(RawHeader.create("Location", "/v1/jobs/" + id));
            if (!accepted.created()) {
              headers.add(RawHeader.create("Idempotent-Replayed", "true"));
            }
            return jsonResponse(202, jobJson.job(accepted.job(), true), headers);
          });
        })
        .exceptionally(this::errorResponse);
  }

  /** The job id an idempotency key stands for: a digest, so the key's content never becomes an actor name. */
  static String jobIdFor(String key) {
    if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
      throw ApiError.invalid("Idempotency-Key", "the Idempotency-Key header must be 1 to 255 visible ASCII"
          + " characters");
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(("idempotency-key:" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "job-" + java.util.HexFormat.of().formatHex(digest, 0, 20);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private CompletionStage<HttpResponse> getJob(String id) {
    return withTimeout(engine.job(id), settings.answerTimeout())
        .thenApply(job -> jsonResponse(200, jobJson.job(job, true), List.of()))
        .exceptionally(this::errorResponse);
  }

  /** {@code DELETE /v1/jobs/{id}}: 202 while the cancel waits for a call in flight, 200 once the job has ended. */
  private CompletionStage<HttpResponse> cancelJob(String id) {
    return withTimeout(engine.cancelJob(id), settings.answerTimeout())
        .thenApply(job -> jsonResponse(job.status().terminal() ? 200 : 202, jobJson.job(job, true), List.of()))
        .exceptionally(this::errorResponse);
  }

  /**
   * {@code GET /v1/jobs/{id}/events}: server-sent events {@code id: <seq>\nevent: <type>\ndata: <json>\n\n},
   * from the event after {@code Last-Event-ID} (replayed from the journals) through the terminal one. The
   * stream is closed (without an error) after {@code stream-timeout}; an SSE client reconnects with
   * {@code Last-Event-ID} and continues where it was.
   */
  private CompletionStage<HttpResponse> jobEvents(String id, Optional<String> lastEventId) {
    long after;
    try {
      after = lastEventId.map(String::trim).filter(v -> !v.isEmpty()).map(Long::parseLong).orElse(0L);
      if (after < 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      return CompletableFuture.completedFuture(errorResponse(ApiError.invalid("Last-Event-ID",
          "the Last-Event-ID header must be a non-negative event number")));
    }
    return withTimeout(engine.job(id), settings.answerTimeout())
        .thenApply(job -> {
          Source<ByteString, NotUsed> frames = engine.jobEvents(id, after)
              .completionTimeout(settings.streamTimeout())
              .map(u -> ByteString.fromString("id: " + u.seq() + "\nevent: " + u.type() + "\ndata: ")
                  .concat(ByteString.fromArray(json.bytes(jobJson.update(u))))
                  .concat(ByteString.fromString("\n\n")))
              .recover(new PFBuilder<Throwable, ByteString>()
                  .match(TimeoutException.class, e -> ByteString.emptyByteString())
                  .matchAny(e -> ByteString.fromString("event: error\ndata: ")
                      .concat(ByteString.fromArray(json.bytes(json.error(toApiError(e)))))
                      .concat(ByteString.fromString("\n\n")))
                  .build())
              .keepAlive(settings.streamKeepAlive(), () -> KEEP_ALIVE);
          frames = endWhenDraining(frames, List.of(ByteString.fromString("event: error\ndata: ")
              .concat(ByteString.fromArray(json.bytes(json.error(shuttingDown()))))
              .concat(ByteString.fromString("\n\n"))));
          return HttpResponse.create()
              .withStatus(200)
              .addHeader(RawHeader.create("Cache-Control", "no-cache"))
              .addHeader(RawHeader.create("X-Accel-Buffering", "no"))
              .withEntity(HttpEntities.createChunked(MediaTypes.TEXT_EVENT_STREAM.toContentType(), frames));
        })
        .exceptionally(this::errorResponse);
  }

  private void requireKnownPipeline(String model) {
    boolean known = engine.pipelines().stream().anyMatch(p -> p.name().equals(model));
    if (!known) {
      String names = engine.pipelines().stream().map(PipelineDefinition::name).collect(Collectors.joining(", "));
      throw new ApiError(404, "invalid_request_error", "unknown model '" + ApiError.excerpt(model)
          + "': it names no pipeline of this server (GET /v1/models lists them: " + names + ")", "model",
          "model_not_found", null);
    }
  }

  private CompletionStage<HttpResponse> answered(ChatCompletionRequest req, Query query, String id, long created) {
    return withTimeout(engine.answer(query, req.model(), req.durability()), settings.answerTimeout())
        .thenApply(result -> jsonResponse(200, json.completion(id, created, req.model(), result), resultHeaders(result)));
  }

  private static List<HttpHeader> resultHeaders(QueryResult result) {
    return List.of(
        RawHeader.create("x-switchyard-model", result.answerModel() == null ? "none" : result.answerModel()),
        RawHeader.create("x-switchyard-rounds", Integer.toString(result.rounds())),
        RawHeader.create("x-switchyard-cost-usd", plain(result.costUsd())));
  }

  /**
   * Waits for the first progress event before answering, so that a refusal at the start (overloaded,
   * unavailable) is still an HTTP status; later failures become an error event in the stream.
   */
  private CompletionStage<HttpResponse> streamed(ChatCompletionRequest req, Query query, String id, long created,
      Materializer mat, HttpMetrics.Request meter) {
    Source<QueryProgress, NotUsed> progress = engine.answerStreaming(query, req.model(), req.durability())
        .completionTimeout(settings.streamTimeout());
    var head = progress.prefixAndTail(1).runWith(Sink.head(), mat);
    return withTimeout(head, settings.answerTimeout()).thenApply(pair -> {
      Source<QueryProgress, NotUsed> all = Source.from(pair.first()).concat(pair.second());
      Source<ByteString, NotUsed> frames = sseFrames(req, id, created, all, meter);
      return HttpResponse.create()
          .withStatus(200)
          .addHeader(RawHeader.create("Cache-Control", "no-cache"))
          .addHeader(RawHeader.create("X-Accel-Buffering", "no"))
          .withEntity(HttpEntities.createChunked(MediaTypes.TEXT_EVENT_STREAM.toContentType(), frames));
    });
  }

  private Source<ByteString, NotUsed> sseFrames(ChatCompletionRequest req, String id, long created,
      Source<QueryProgress, NotUsed> progress, HttpMetrics.Request meter) {
    boolean showProgress = req.progress() != null ? req.progress() : settings.streamProgress();
    AtomicBoolean finished = new AtomicBoolean();
    StreamedAnswer streamed = new StreamedAnswer();
    ByteString first = frame(json.chunk(id, created, req.model(), json.delta("assistant", ""), null));
    // The empty Optional marks the end of the engine's stream: if no result came before it, say so.
    Source<ByteString, NotUsed> body = progress.map(Optional::of)
        .concat(Source.single(Optional.<QueryProgress>empty()))
        .mapConcat(p -> {
          if (p.isEmpty()) {
            return finished.get() ? List.<ByteString>of() : List.of(frame(json.error(new ApiError(500,
                "server_error", "the pipeline ended without a result", null, "incomplete", null))));
          }
          if (p.get() instanceof QueryProgress.StepRecorded s) {
            if (!showProgress) {
              return List.<ByteString>of();
            }
            ObjectNode chunk = json.chunk(id, created, req.model(), json.delta(null, null), null);
            chunk.putObject("switchyard").set("step", json.step(s.step()));
            return List.of(frame(chunk));
          }
          if (p.get() instanceof QueryProgress.TokensArrived t) {
            if (!streamed.take(t)) {
              return List.<ByteString>of();
            }
            if (streamed.text.length() == t.text().length()) {
              meter.firstToken(t.modelId());
            }
            return List.of(frame(json.chunk(id, created, req.model(), json.delta(null, t.text()), null)));
          }
          finished.set(true);
          QueryResult result = ((QueryProgress.Finished) p.get()).result();
          if (streamed.attemptNo < 0) {
            // the answer arrives whole with the result: its first frame is the stream's first token
            meter.firstToken(result.answerModel() == null ? EngineMetrics.NONE : result.answerModel());
          }
          return finalFrames(req, id, created, result, streamed.text.toString());
        })
        .recover(new PFBuilder<Throwable, ByteString>()
            .matchAny(e -> frame(json.error(toApiError(e))))
            .build());
    return endWhenDraining(Source.single(first).concat(body)
        .keepAlive(settings.streamKeepAlive(), () -> KEEP_ALIVE), List.of(frame(json.error(shuttingDown())), DONE));
  }

  /**
   * The pieces of one model's answer that went out as it generated them: the first call that streams is the
   * answer's (its pipeline takes that answer as it comes), so pieces of any other call are not shown.
   */
  private static final class StreamedAnswer {
    int attemptNo = -1;
    final StringBuilder text = new StringBuilder();

    boolean take(QueryProgress.TokensArrived piece) {
      if (attemptNo >= 0 && attemptNo != piece.attemptNo()) {
        return false;
      }
      attemptNo = piece.attemptNo();
      text.append(piece.text());
      return true;
    }
  }

  /**
   * The frames after the last step: what is left of the answer after the pieces {@code streamed} already (all of
   * it when nothing streamed), the tool calls, the finish reason with the summary, usage. An answer whose stream
   * broke off after it began ends with an error event instead: the client has part of an answer that will not
   * be completed, and no other model answers in its place.
   */
  private List<ByteString> finalFrames(ChatCompletionRequest req, String id, long created, QueryResult result,
      String streamed) {
    List<ByteString> frames = new ArrayList<>();
    if (result.abstained() && !streamed.isEmpty()) {
      frames.add(frame(json.error(new ApiError(502, "server_error", result.abstainReason(), null,
          "upstream_failed", null))));
      frames.add(DONE);
      return frames;
    }
    if (result.abstained()) {
      ObjectNode delta = json.mapper().createObjectNode();
      delta.put("refusal", json.summary(result).get("abstain_reason").asText());
      frames.add(frame(json.chunk(id, created, req.model(), delta, null)));
    } else {
      // the pieces are a prefix of the answer; pieces the stream missed (they may arrive after the result) follow
      String answer = result.answer().startsWith(streamed) ? result.answer().substring(streamed.length())
          : result.answer();
      int step = settings.streamChunkChars();
      for (int i = 0; i < answer.length(); ) {
        int end = Math.min(answer.length(), i + step);
        if (end < answer.length() && Character.isHighSurrogate(answer.charAt(end - 1))) {
          end++; // never split a surrogate pair across two events
        }
        frames.add(frame(json.chunk(id, created, req.model(), json.delta(null, answer.substring(i, end)), null)));
        i = end;
      }
      json.toolCallsDelta(result).ifPresent(delta -> frames.add(frame(json.chunk(id, created, req.model(), delta,
          null))));
    }
    ObjectNode last = json.chunk(id, created, req.model(), json.delta(null, null), json.finishReason(result));
    last.set("switchyard", json.summary(result));
    frames.add(frame(last));
    if (req.includeUsage()) {
      frames.add(frame(json.usageChunk(id, created, req.model(), result)));
    }
    frames.add(DONE);
    return frames;
  }

  private ByteString frame(ObjectNode node) {
    return ByteString.fromString("data: ").concat(ByteString.fromArray(json.bytes(node)))
        .concat(ByteString.fromString("\n\n"));
  }

  /**
   * Ends {@code frames} with {@code last} once the shutdown drain is about to run out ({@code streamsEnd}), so a
   * stream still open then finishes as a complete response with an explicit error rather than a cut connection.
   */
  private Source<ByteString, NotUsed> endWhenDraining(Source<ByteString, NotUsed> frames, List<ByteString> last) {
    return Source.fromMaterializer((mat, attributes) -> {
      CompletableFuture<Done> end = new CompletableFuture<>();
      Runnable deregister = drain.register(end);
      return frames.merge(Source.completionStage(end).mapConcat(done -> last), true)
          .watchTermination((notUsed, finished) -> {
            finished.whenComplete((done, failure) -> deregister.run());
            return notUsed;
          });
    }).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** {@code response}, or the 503 {@code shutting_down} error if the drain ends first. */
  private CompletionStage<HttpResponse> untilDrained(CompletionStage<HttpResponse> response) {
    CompletableFuture<Done> end = new CompletableFuture<>();
    Runnable deregister = drain.register(end);
    CompletableFuture<HttpResponse> out = new CompletableFuture<>();
    out.whenComplete((r, failure) -> deregister.run());
    response.whenComplete((r, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(r);
      }
    });
    end.thenRun(() -> out.complete(shuttingDownResponse()));
    return out;
  }

  private ApiError shuttingDown() {
    return new ApiError(503, "server_error", "the server is shutting down and could not finish this request within"
        + " its drain time of " + settings.shutdownDeadline().toMillis() + " ms; send it again (to another node)",
        null, "shutting_down", DEFAULT_RETRY_AFTER);
  }

  /**
   * What a connection over {@code max-connections-per-client} (or the server's {@code max-connections}) gets for
   * its first request, before it is closed: a 503 the client can act on, instead of a connection closed unread.
   */
  HttpResponse tooManyConnectionsResponse(int perClient, int inAll) {
    return errorResponse(new ApiError(503, "server_error", "too many connections: at most " + perClient
        + " open from one client address and " + inAll + " in all; reuse connections (keep-alive) or retry",
        null, "too_many_connections", DEFAULT_RETRY_AFTER))
        .addHeader(org.apache.pekko.http.javadsl.model.headers.Connection.create("close"));
  }

  /** The requests and streams in flight, which a shutdown drains. */
  Drain drain() {
    return drain;
  }

  /** What a request still unanswered at the end of the shutdown drain gets (instead of a cut connection). */
  HttpResponse shuttingDownResponse() {
    return errorResponse(shuttingDown());
  }

  // ---------------------------------------------------------------- errors

  private HttpResponse errorResponse(Throwable failure) {
    ApiError e = toApiError(failure);
    List<HttpHeader> headers = e.retryAfter() == null ? List.of()
        : List.of(RawHeader.create("Retry-After", Long.toString(retryAfterSeconds(e.retryAfter()))));
    return jsonResponse(e.status(), json.error(e), headers);
  }

  /** Maps anything a request can fail with to the API's error; unexpected failures are logged, not shown. */
  ApiError toApiError(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ApiError e) {
      return e;
    }
    if (t instanceof EntityStreamSizeException || t instanceof StreamLimitReachedException) {
      return tooLarge();
    }
    if (t instanceof EntityStreamException) {
      return new ApiError(400, "invalid_request_error", "the request body could not be read", null,
          "invalid_body", null);
    }
    if (t instanceof EngineRejection r) {
      String message = ApiError.excerptLong(r.getMessage());
      return switch (r.reason()) {
        case UNKNOWN_PIPELINE -> new ApiError(404, "invalid_request_error", message, "model", "model_not_found", null);
        case INVALID -> new ApiError(400, "invalid_request_error", message, null, "invalid_value", null);
        case UNSUPPORTED_FIELD -> new ApiError(400, "invalid_request_error", message, r.param(), "unsupported_field",
            null);
        case OVERLOADED -> new ApiError(429, "rate_limit_error", message, null, "overloaded",
            Optional.ofNullable(r.retryAfter()).orElse(DEFAULT_RETRY_AFTER));
        case UNAVAILABLE -> new ApiError(503, "server_error", message, null, "unavailable",
            Optional.ofNullable(r.retryAfter()).orElse(DEFAULT_RETRY_AFTER));
        case JOURNAL_UNAVAILABLE -> new ApiError(503, "server_error", message, null, "journal_unavailable",
            Optional.ofNullable(r.retryAfter()).orElse(DEFAULT_RETRY_AFTER));
        case TIMEOUT -> new ApiError(504, "timeout_error", message, null, "timeout", null);
        case UPSTREAM_FAILED -> new ApiError(502, "server_error", message, null, "upstream_failed", null);
        case NOT_FOUND -> new ApiError(404, "invalid_request_error", message, null, "not_found", null);
        case CONFLICT -> new ApiError(422, "invalid_request_error", message, "Idempotency-Key",
            "idempotency_key_reused", null);
      };
    }
    if (t instanceof TimeoutException) {
      return new ApiError(504, "timeout_error", "the pipeline did not answer in time", null, "timeout", null);
    }
    String reference = ids.get();
    LOG.error("request failed unexpectedly (reference {})", reference, t);
    return new ApiError(500, "server_error", "internal error (reference " + reference + ")", null, "internal_error",
        null);
  }

  private ApiError tooLarge() {
    return new ApiError(413, "invalid_request_error",
        "request body exceeds the limit of " + settings.maxBodyBytes() + " bytes", null, "request_too_large", null);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static long retryAfterSeconds(Duration d) {
    long ms = Math.max(0, d.toMillis());
    return Math.max(1, (ms + 999) / 1000);
  }

  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rs -> {
          String allowed = rs.stream().map(r -> r.supported().name()).distinct().collect(Collectors.joining(", "));
          return complete(jsonResponse(405, json.error(new ApiError(405, "invalid_request_error",
              "method not allowed here; allowed: " + allowed, null, "method_not_allowed", null)),
              List.of(RawHeader.create("Allow", allowed))));
        })
        .handle(Rejection.class, r -> complete(errorResponse(new ApiError(400, "invalid_request_error",
            "the request was refused: " + r.getClass().getSimpleName(), null, "bad_request", null))))
        .handleNotFound(complete(jsonResponse(404, json.error(new ApiError(404, "invalid_request_error",
            "no such route; the API serves POST /v1/chat/completions, POST /v1/jobs, GET and DELETE /v1/jobs/{id},"
                + " GET /v1/jobs/{id}/events, POST /v1/feedback, GET /v1/models, GET /health, GET /ready,"
                + " GET /metrics",
            null, "not_found", null)), List.of())))
        .build();
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> complete(errorResponse(e)))
        .build();
  }

  private HttpResponse jsonResponse(int status, ObjectNode body, List<HttpHeader> headers) {
    return HttpResponse.create()
        .withStatus(status)
        .addHeaders(headers)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.bytes(body)));
  }

  private static <T> CompletionStage<T> withTimeout(CompletionStage<T> stage, Duration timeout) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(value);
      }
    });
    return out.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String plain(double usd) {
    return Double.isFinite(usd) ? BigDecimal.valueOf(usd).stripTrailingZeros().toPlainString() : "0";
  }
}
