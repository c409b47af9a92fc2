package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.job.JobUpdate;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;

/** Renders jobs ({@code object: "job"}) and their events for the jobs API. */
final class JobJson {
  private final OpenAiJson json;

  JobJson(OpenAiJson json) {
    this.json = json;
  }

  ObjectNode job(JobView job, boolean withSteps) {
    ObjectNode root = json.mapper().createObjectNode();
    root.put("id", job.id());
    root.put("object", "job");
    root.put("model", job.pipeline());
    root.put("status", job.status().wire());
    root.put("created", job.createdAtMillis() / 1000);
    if (job.endedAtMillis() > 0) {
      root.put("ended", job.endedAtMillis() / 1000);
    } else {
      root.putNull("ended");
    }
    root.put("cancel_requested", job.cancelRequested());
    root.put("step_count", job.stepCount());
    root.set("budget", budget(job.budget()));
    ObjectNode result = root.putObject("result");
    nullable(result, "answer", job.answer());
    nullable(result, "answer_model", job.answerModel());
    result.put("cost_usd", job.costUsd());
    result.put("rounds", job.rounds());
    result.put("steps_finished", (int) job.steps().stream().filter(JobView.StepView::finished).count());
    if (job.code() == null) {
      root.putNull("failure");
    } else {
      ObjectNode failure = root.putObject("failure");
      failure.put("code", job.code());
      nullable(failure, "message", job.message());
    }
    if (withSteps) {
      ArrayNode steps = root.putArray("steps");
      job.steps().forEach(s -> steps.add(step(s)));
    }
    return root;
  }

  private ObjectNode step(JobView.StepView s) {
    ObjectNode node = json.mapper().createObjectNode();
    node.put("index", s.index());
    node.put("query_id", s.queryId());
    QueryResult r = s.result();
    node.put("status", r == null ? "running" : r.abstained() ? "abstained" : "answered");
    node.set("budget", budget(s.budget()));
    nullable(node, "answer", r == null ? null : r.answer());
    nullable(node, "answer_model", r == null ? null : r.answerModel());
    if (r != null && r.abstained()) {
      node.put("abstain_reason", r.abstainReason() == null ? "" : r.abstainReason());
    }
    ArrayNode calls = node.putArray("calls");
    double cost = 0;
    for (EpisodeStep e : s.episodeSteps()) {
      if (e.stage() == Stage.GENERATE && e.response() != null) {
        Response resp = e.response();
        ObjectNode call = calls.addObject();
        call.put("attempt", e.round());
        call.put("model", resp.modelId());
        call.put("outcome", "answered");
        call.put("cost_usd", resp.costUsd());
        call.put("input_tokens", resp.inputTokens());
        call.put("output_tokens", resp.outputTokens());
        call.put("latency_ms", resp.latencyMs());
        cost += resp.costUsd();
      } else if (e.stage() == Stage.REJECTED || e.stage() == Stage.FAILED) {
        ObjectNode call = calls.addObject();
        call.put("attempt", e.round());
        nullable(call, "model", e.modelId());
        call.put("outcome", e.decision());
        call.put("cost_usd", 0.0);
      }
    }
    node.put("cost_usd", r == null ? cost : r.costUsd());
    node.put("rounds", r == null ? calls.size() : r.rounds());
    ArrayNode events = node.putArray("events");
    s.episodeSteps().forEach(e -> events.add(json.step(e)));
    return node;
  }

  /** The data of one SSE event. */
  ObjectNode update(JobUpdate u) {
    ObjectNode node = json.mapper().createObjectNode();
    node.put("job_id", u.jobId());
    node.put("seq", u.seq());
    node.put("type", u.type());
    if (u.step() >= 0) {
      node.put("step", u.step());
      node.put("query_id", u.queryId());
    }
    if (u.episodeStep() != null) {
      ObjectNode step = json.step(u.episodeStep());
      Response r = u.episodeStep().response();
      if (r != null) {
        step.put("cost_usd", r.costUsd());
        step.put("latency_ms", r.latencyMs());
      }
      node.set("event", step);
    }
    if (u.result() != null) {
      QueryResult r = u.result();
      ObjectNode result = node.putObject("result");
      nullable(result, "answer", r.answer());
      nullable(result, "answer_model", r.answerModel());
      result.put("cost_usd", r.costUsd());
      result.put("rounds", r.rounds());
      result.put("abstained", r.abstained());
    }
    if (u.job() != null) {
      node.set("job", job(u.job(), false));
    }
    return node;
  }

  private ObjectNode budget(Budget b) {
    ObjectNode node = json.mapper().createObjectNode();
    node.put("max_cost_usd", b.maxCostUsd());
    node.put("max_rounds", b.maxRounds());
    node.put("deadline_seconds", b.deadlineMillis() / 1000.0);
    return node;
  }

  private static void nullable(ObjectNode node, String field, String value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }
}
