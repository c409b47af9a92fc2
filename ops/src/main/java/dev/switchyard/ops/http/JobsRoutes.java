package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.job.JobView;
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
 * resumable event ids. A tenant's jobs are its own: another tenant's id is answered as an unknown one (404), and
 * its Idempotency-Keys are its own too ({@link ApiKeys#jobIdFor}).
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
  private final Authentication auth;
  private final ApiKeys keys;

  JobsRoutes(Engine engine, HttpSettings settings, Supplier<String> ids, ObjectMapper requestMapper,
      HttpReplies replies, ErrorMapping errors, RouteSupport support, Authentication auth, ApiKeys keys) {
    this.engine = engine;
    this.settings = settings;
    this.ids = ids;
    this.requestMapper = requestMapper;
    this.json = replies.json();
    this.jobJson = new JobJson(json);
    this.replies = replies;
    this.errors = errors;
    this.support = support;
    this.auth = auth;
    this.keys = keys;
  }

  Route route() {
    return auth.caller(caller -> concat(
        path(PathMatchers.segment("v1").slash("jobs"), () ->
            post(() -> support.metered("jobs", meter -> extractRequestEntity(entity -> extractMaterializer(mat ->
                optionalHeaderValueByName("Idempotency-Key", key ->
                    completeWithFuture(support.untilDrained(submitJob(entity, mat, key, meter, caller))))))))),
        path(PathMatchers.segment("v1").slash("jobs").slash(PathMatchers.segment()).slash("events"), id ->
            get(() -> support.metered("job_events", meter -> optionalHeaderValueByName("Last-Event-ID", last ->
                completeWithFuture(support.untilDrained(jobEvents(id, last, caller))))))),
        path(PathMatchers.segment("v1").slash("jobs").slash(PathMatchers.segment()), id -> concat(
            get(() -> support.metered("job", meter -> completeWithFuture(support.untilDrained(getJob(id, caller))))),
            delete(() -> support.metered("job_cancel", meter ->
                completeWithFuture(support.untilDrained(cancelJob(id, caller)))))))));
  }

  /**
   * The job {@code id} if it is the caller's; another tenant's job fails as an unknown one does (404
   * {@code not_found}, the same message), so that nobody learns which ids exist.
   */
  static CompletionStage<JobView> ownJob(Engine engine, RouteSupport support, String id,
      Authentication.Caller caller) {
    return support.withinAnswerTimeout(engine.job(id)).thenApply(job -> {
      if (!caller.owns(job.tenant())) {
        throw new EngineRejection(EngineRejection.Reason.NOT_FOUND, "no job " + id, null);
      }
      return job;
    });
  }


  /**
   * {@code POST /v1/jobs}: 202 with the job and {@code Location} once the engine has journaled its acceptance
   * (any failure before that is an error, never a 202). With {@code Idempotency-Key} the key determines the job id,
   * so a repeat returns the same job (header {@code Idempotent-Replayed: true}); the same key with a different
   * body is 422 {@code idempotency_key_reused}, as the IETF Idempotency-Key draft recommends.
   */
  private CompletionStage<HttpResponse> submitJob(RequestEntity entity, Materializer mat, Optional<String> key,
      HttpMetrics.Request meter, Authentication.Caller caller) {
    return support.readBody(entity, mat)
        .thenCompose(body -> {
          JobRequest req = JobRequest.parse(body, requestMapper, settings, settings.maxJobSteps());
          caller.requireAllowed(req.model());
          support.requireKnownPipeline(req.model());
          meter.pipeline(req.model());
          String id = key.isPresent() ? keys.jobIdFor(caller.tenant(), key.get()) : "job-" + ids.get();
          JobSpec spec = new JobSpec(id, req.model(), req.steps(), req.task(), req.budget(), caller.tenant());
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

  private CompletionStage<HttpResponse> getJob(String id, Authentication.Caller caller) {
    return ownJob(engine, support, id, caller)
        .thenApply(job -> replies.json(200, jobJson.job(job, true), List.of()))
        .exceptionally(errors::response);
  }

  /** {@code DELETE /v1/jobs/{id}}: 202 while the cancel waits for a call in flight, 200 once the job has ended. */
  private CompletionStage<HttpResponse> cancelJob(String id, Authentication.Caller caller) {
    return ownJob(engine, support, id, caller)
        .thenCompose(own -> support.withinAnswerTimeout(engine.cancelJob(id)))
        .thenApply(job -> replies.json(job.status().terminal() ? 200 : 202, jobJson.job(job, true), List.of()))
        .exceptionally(errors::response);
  }

  /**
   * {@code GET /v1/jobs/{id}/events}: server-sent events {@code id: <seq>\nevent: <type>\ndata: <json>\n\n},
   * from the event after {@code Last-Event-ID} (replayed from the journals) through the terminal one. The
   * stream is closed (without an error) after {@code stream-timeout}; an SSE client reconnects with
   * {@code Last-Event-ID} and continues where it was.
   */
  private CompletionStage<HttpResponse> jobEvents(String id, Optional<String> lastEventId,
      Authentication.Caller caller) {
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
    return ownJob(engine, support, id, caller)
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
