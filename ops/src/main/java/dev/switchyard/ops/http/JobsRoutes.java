package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.job.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The durable jobs API: {@code POST /v1/jobs} (202 once journaled, idempotent by {@code Idempotency-Key}),
 * {@code GET} and {@code DELETE /v1/jobs/{id}}, and {@code GET /v1/jobs/{id}/events} as server-sent events with
 * resumable event ids.
 */
final class JobsRoutes extends AllDirectives {
  private final Engine engine;
  private final HttpSettings settings;
  private final Supplier<String> ids;
  private final ObjectMapper requestMapper;
  private final OpenAiJson json;
  private final JobJson jobJson;
  private final HttpReplies replies;
  private final ErrorMapping errors;
  private final RouteSupport support;

  JobsRoutes(Engine engine, HttpSettings settings, Supplier<String> ids, ObjectMapper requestMapper,
      HttpReplies replies, ErrorMapping errors, RouteSupport support) {
    this.engine = engine;
    this.settings = settings;
    this.ids = ids;
    this.requestMapper = requestMapper;
    this.json = replies.json();
    this.jobJson = new JobJson(json);
    this.replies = replies;
    this.errors = errors;
    this.support = support;
  }

  Route route() {
    return concat(
        path(PathMatchers.segment("v1").slash("jobs"), () ->
            post(() -> support.metered("jobs", meter -> extractRequestEntity(entity -> extractMaterializer(mat ->
                optionalHeaderValueByName("Idempotency-Key", key ->
                    completeWithFuture(support.untilDrained(submitJob(entity, mat, key, meter))))))))),
        path(PathMatchers.segment("v1").slash("jobs").slash(PathMatchers.segment()).slash("events"), id ->
            get(() -> support.metered("job_events", meter -> optionalHeaderValueByName("Last-Event-ID", last ->
                completeWithFuture(support.untilDrained(jobEvents(id, last))))))),
        path(PathMatchers.segment("v1").slash("jobs").slash(PathMatchers.segment()), id -> concat(
            get(() -> support.metered("job", meter -> completeWithFuture(support.untilDrained(getJob(id))))),
            delete(() -> support.metered("job_cancel", meter ->
                completeWithFuture(support.untilDrained(cancelJob(id))))))));
  }


  /**
   * {@code POST /v1/jobs}: 202 with the job and {@code Location} once the engine has journaled its acceptance
   * (any failure before that is an error, never a 202). With {@code Idempotency-Key} the key determines the job id,
   * so a repeat returns the same job (header {@code Idempotent-Replayed: true}); the same key with a different
   * body is 422 {@code idempotency_key_reused}, as the IETF Idempotency-Key draft recommends.
   */
  private CompletionStage<HttpResponse> submitJob(RequestEntity entity, Materializer mat, Optional<String> key,
      HttpMetrics.Request meter) {
    return support.readBody(entity, mat)
        .thenCompose(body -> {
          JobRequest req = JobRequest.parse(body, requestMapper, settings, settings.maxJobSteps());
          support.requireKnownPipeline(req.model());
          meter.pipeline(req.model());
          String id = key.isPresent() ? jobIdFor(key.get()) : "job-" + ids.get();
          JobSpec spec = new JobSpec(id, req.model(), req.steps(), req.task(), req.budget());
          return support.withinAnswerTimeout(engine.submitJob(spec)).thenApply(accepted -> {
            List<HttpHeader> headers = new ArrayList<>();
            headers.add(RawHeader.create("Location", "/v1/jobs/" + id));
            if (!accepted.created()) {
              headers.add(RawHeader.create("Idempotent-Replayed", "true"));
            }
            return replies.json(202, jobJson.job(accepted.job(), true), headers);
          });
        })
        .exceptionally(errors::response);
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
    return support.withinAnswerTimeout(engine.job(id))
        .thenApply(job -> replies.json(200, jobJson.job(job, true), List.of()))
        .exceptionally(errors::response);
  }

  /** {@code DELETE /v1/jobs/{id}}: 202 while the cancel waits for a call in flight, 200 once the job has ended. */
  private CompletionStage<HttpResponse> cancelJob(String id) {
    return support.withinAnswerTimeout(engine.cancelJob(id))
        .thenApply(job -> replies.json(job.status().terminal() ? 200 : 202, jobJson.job(job, true), List.of()))
        .exceptionally(errors::response);
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
      return CompletableFuture.completedFuture(errors.response(ApiError.invalid("Last-Event-ID",
          "the Last-Event-ID header must be a non-negative event number")));
    }
    return support.withinAnswerTimeout(engine.job(id))
        .thenApply(job -> {
          Source<ByteString, NotUsed> frames = engine.jobEvents(id, after)
              .completionTimeout(settings.streamTimeout())
              .map(u -> ByteString.fromString("id: " + u.seq() + "\nevent: " + u.type() + "\ndata: ")
                  .concat(ByteString.fromArray(json.bytes(jobJson.update(u))))
                  .concat(ByteString.fromString("\n\n")))
              .recover(new PFBuilder<Throwable, ByteString>()
                  .match(TimeoutException.class, e -> ByteString.emptyByteString())
                  .matchAny(e -> ByteString.fromString("event: error\ndata: ")
                      .concat(ByteString.fromArray(json.bytes(json.error(errors.toApiError(e)))))
                      .concat(ByteString.fromString("\n\n")))
                  .build())
              .keepAlive(settings.streamKeepAlive(), () -> HttpReplies.KEEP_ALIVE);
          frames = support.endWhenDraining(frames, List.of(ByteString.fromString("event: error\ndata: ")
              .concat(ByteString.fromArray(json.bytes(json.error(errors.shuttingDown()))))
              .concat(ByteString.fromString("\n\n"))));
          return HttpReplies.eventStream(frames);
        })
        .exceptionally(errors::response);
  }

}
