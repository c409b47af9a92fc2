package dev.switchyard.actors.fleet;

import java.util.List;
import java.util.Objects;

/**
 * One tenant of {@code switchyard.tenants.<name>}: who may call what, and how much. A limit of 0 is no limit.
 *
 * @param budgetUsdPerDay what the tenant's calls may cost in one UTC day
 * @param budgetUsdPerMonth what they may cost in one UTC calendar month
 * @param requestsPerMinute API requests (chat completions, jobs) the tenant may start in any minute
 * @param tokensPerMinute input plus output tokens of its model calls in any minute
 * @param models the models and pipelines it may name in a request; empty for every one the node serves
 * @param priority its weight in pool admission: under contention a tenant gets a share of a model's workers in
 *     proportion to it (at least 1)
 */
public record TenantSpec(String name, double budgetUsdPerDay, double budgetUsdPerMonth, long requestsPerMinute,
    long tokensPerMinute, List<String> models, int priority) {
  public TenantSpec {
    Objects.requireNonNull(name, "name");
    models = List.copyOf(models);
    if (priority < 1) {
      throw new IllegalArgumentException("priority must be at least 1, got " + priority);
    }
  }

  /** Whether a request may name {@code modelOrPipeline}. */
  public boolean allows(String modelOrPipeline) {
    return models.isEmpty() || models.contains(modelOrPipeline);
  }
}
