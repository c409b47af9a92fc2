package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code POST /v1/jobs} body: {@code model} (a pipeline), {@code messages} (the first step),
 * optional {@code steps} (further sub-queries {@code {"messages": [...]}}, run in order after the first), optional
 * {@code budget} ({@code max_cost_usd}, {@code max_rounds}, {@code deadline_seconds}; for the whole job, 0 or
 * absent = no limit; bounded by {@link RequestBounds}) and optional {@code task} (a routing hint given to every
 * step). Every problem is a 400 naming the field, e.g. {@code steps[1].messages[0].role} or
 * {@code budget.max_cost_usd}. As for chat completions, unknown fields are ignored.
 */
public record JobRequest(String model, List<List<ChatMessage>> steps, Budget budget, String task) {
  static JobRequest parse(byte[] body, com.fasterxml.jackson.databind.ObjectMapper mapper, HttpSettings limits,
      int maxSteps) {
    JsonNode root = ChatCompletionRequest.readObject(body, mapper);
    JsonNode modelNode = root.get("model");
    if (modelNode == null || modelNode.isNull()) {
      throw ApiError.missing("model");
    }
    if (!modelNode.isTextual() || modelNode.asText().isBlank()) {
      throw ApiError.invalid("model", "'model' must name a pipeline, e.g. switchyard/cascade");
    }
    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) {
      throw ApiError.missing("messages");
    }
    List<List<ChatMessage>> steps = new ArrayList<>();
    steps.add(ChatCompletionRequest.messages(messages, "messages", limits));
    JsonNode more = root.get("steps");
    if (more != null && !more.isNull()) {
      if (!more.isArray()) {
        throw ApiError.invalid("steps", "'steps' must be an array of {\"messages\": [...]} objects");
      }
      if (more.isEmpty()) {
        throw ApiError.invalid("steps", "'steps' must not be empty; leave it out for a one-step job");
      }
      if (more.size() + 1 > maxSteps) {
        throw ApiError.invalid("steps", "a job may have at most " + maxSteps + " steps ('messages' and "
            + (maxSteps - 1) + " more in 'steps')");
      }
      for (int i = 0; i < more.size(); i++) {
        String at = "steps[" + i + "]";
        JsonNode step = more.get(i);
        if (!step.isObject()) {
          throw ApiError.invalid(at, "'" + at + "' must be an object {\"messages\": [...]}");
        }
        JsonNode stepMessages = step.get("messages");
        if (stepMessages == null || stepMessages.isNull()) {
          throw ApiError.missing(at + ".messages");
        }
        steps.add(ChatCompletionRequest.messages(stepMessages, at + ".messages", limits));
      }
    }
    Budget budget = budget(root.get("budget"), limits.bounds());
    String task = null;
    JsonNode taskNode = root.get("task");
    if (taskNode != null && !taskNode.isNull()) {
      if (!taskNode.isTextual() || taskNode.asText().isBlank() || taskNode.asText().length() > 64) {
        throw ApiError.invalid("task", "'task' must be a string of 1 to 64 characters");
      }
      task = taskNode.asText();
    }
    return new JobRequest(modelNode.asText(), steps, budget, task);
  }

  private static Budget budget(JsonNode node, RequestBounds bounds) {
    if (node == null || node.isNull()) {
      return Budget.unlimited();
    }
    if (!node.isObject()) {
      throw ApiError.invalid("budget", "'budget' must be an object with max_cost_usd, max_rounds, deadline_seconds");
    }
    double cost = RequestBounds.nonNegative(node, "max_cost_usd", "budget.max_cost_usd", bounds.maxCostUsd(),
        " (USD, 0 = no limit)");
    long rounds = RequestBounds.integer(node, "max_rounds", "budget.max_rounds", 0, bounds.maxRounds(), 0);
    // seconds may be fractional (0.5 = 500 ms); the bound keeps the milliseconds far from overflow
    double seconds = RequestBounds.nonNegative(node, "deadline_seconds", "budget.deadline_seconds",
        bounds.maxJobDeadline().toSeconds(), " (seconds, 0 = no limit)");
    return new Budget(cost, (int) rounds, Math.round(seconds * 1000));
  }
}
