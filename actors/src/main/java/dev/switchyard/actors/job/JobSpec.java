package dev.switchyard.actors.job;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.Query;
import java.util.List;
import java.util.Objects;

/**
 * What a client asked a job to do: run the sub-queries {@code steps} in order through {@code pipeline}, within
 * {@code budget} for the whole job (cost, model calls, deadline; zero = no limit). Two submits with the same id
 * are the same request only if their specs are equal (that is how an idempotency key detects reuse).
 *
 * @param task an optional task hint given to every step's query, null when none
 * @param tenant the tenant that submitted it (its steps' queries are that tenant's), null without API keys
 */
public record JobSpec(String id, String pipeline, List<List<ChatMessage>> steps, String task, Budget budget,
    String tenant) implements CrossNode {
  public JobSpec(String id, String pipeline, List<List<ChatMessage>> steps, String task, Budget budget) {
    this(id, pipeline, steps, task, budget, null);
  }

  public JobSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(pipeline, "pipeline");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a job id must not be blank");
    }
    if (steps == null || steps.isEmpty()) {
      throw new IllegalArgumentException("job " + id + " needs at least one step");
    }
    steps = steps.stream().map(List::copyOf).toList();
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).isEmpty()) {
        throw new IllegalArgumentException("step " + i + " of job " + id + " has no messages");
      }
    }
    budget = budget == null ? Budget.unlimited() : budget;
    if (budget.maxCostUsd() < 0 || budget.maxRounds() < 0 || budget.deadlineMillis() < 0) {
      throw new IllegalArgumentException("budget values must be >= 0, got " + budget);
    }
  }

  /** The id of step {@code index}'s durable query. */
  public static String stepQueryId(String jobId, int index) {
    return jobId + "/step-" + index;
  }

  Query stepQuery(int index, Budget stepBudget) {
    return new Query(stepQueryId(id, index), steps.get(index), task, stepBudget).withTenant(tenant);
  }
}
