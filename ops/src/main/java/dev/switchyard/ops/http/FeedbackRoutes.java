package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.protocol.Feedback;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/** {@code POST /v1/feedback}: a reward for a finished query, or for a job's final step. */
final class FeedbackRoutes extends AllDirectives {
  private final Engine engine;
  private final ObjectMapper requestMapper;
  private final HttpReplies replies;
  private final ErrorMapping errors;
  private final RouteSupport support;
  private final Authentication auth;

  FeedbackRoutes(Engine engine, ObjectMapper requestMapper, HttpReplies replies, ErrorMapping errors,
      RouteSupport support, Authentication auth) {
    this.engine = engine;
    this.requestMapper = requestMapper;
    this.replies = replies;
    this.errors = errors;
    this.support = support;
    this.auth = auth;
  }

  Route route() {
    return path(PathMatchers.segment("v1").slash("feedback"), () ->
        post(() -> support.metered("feedback", meter -> auth.caller(caller -> extractRequestEntity(entity ->
            extractMaterializer(mat -> completeWithFuture(support.untilDrained(feedback(entity, mat, caller)))))))));
  }

  /**
   * {@code POST /v1/feedback {"query_id": "chatcmpl-...", "reward": 0..1, "source": "user", "replace": false}}: a
   * reward for a finished query, which the pipeline's learner (if any) learns from. With real backends this is
   * how learned pipelines get their signal. A query (or job) takes one reward: another is 409
   * {@code feedback_exists} unless {@code "replace": true}, which records the new reward on the query without
   * the learner learning the query again. Only the tenant that asked the query (or submitted the job) may rate it:
   * another tenant's query or job is answered as an unknown one, 404 {@code not_found}.
   */
  private CompletionStage<HttpResponse> feedback(RequestEntity entity, Materializer mat,
      Authentication.Caller caller) {
    return support.readBody(entity, mat)
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
          CompletionStage<String> queryId = hasJob ? finalEpisodeOf(target.asText(), caller)
              : CompletableFuture.completedFuture(target.asText());
          return queryId.thenCompose(q -> support.withinAnswerTimeout(engine.feedback(new Feedback(q, reward.asDouble(),
                  src, replace, caller.tenant())))
              .thenApply(done -> {
                ObjectNode ok = replies.status("accepted");
                if (hasJob) {
                  ok.put("job_id", target.asText());
                }
                ok.put("query_id", q);
                return replies.json(200, ok, List.of());
              }))
              .exceptionally(failure -> {
                // the query (or the job's final step) has its reward: 409, and how to replace it
                if (ErrorMapping.unwrap(failure) instanceof EngineRejection r && r.reason() == EngineRejection.Reason.CONFLICT) {
                  throw new ApiError(409, "invalid_request_error", ApiError.excerptLong(r.getMessage()), field,
                      "feedback_exists", null);
                }
                throw ErrorMapping.rethrow(failure);
              });
        })
        .exceptionally(errors::response);
  }

  /**
   * The query id of a job's final episode (its last step), which a reward for the job goes to, so the pipeline's
   * learner learns from it like from any query's reward. The job must have ended with a step that ran.
   */
  private CompletionStage<String> finalEpisodeOf(String jobId, Authentication.Caller caller) {
    return JobsRoutes.ownJob(engine, support, jobId, caller).thenApply(job -> {
      if (!job.status().terminal()) {
        throw new ApiError(409, "invalid_request_error", "job " + ApiError.excerpt(jobId) + " is "
            + job.status().wire() + "; feedback is taken once it has ended", "job_id", "job_not_ended", null);
      }
      return job.steps().stream().filter(JobView.StepView::finished)
          .reduce((a, b) -> b)
          .map(JobView.StepView::queryId)
          .orElseThrow(() -> ApiError.invalid("job_id", "job " + ApiError.excerpt(jobId)
              + " ended before any step ran; there is no episode to reward"));
    });
  }
}
