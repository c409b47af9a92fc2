package dev.switchyard.strategies.plan;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a planner may look at to choose its next action. Immutable: the driver (QueryActor or the
 * offline evaluator) builds a new state after every attempt, so a planner is a pure function of its state and
 * a durable query resumes by rebuilding the state from its recorded attempts.
 *
 * @param models the cards of the models the planner may route to, in the deployment's order
 * @param load the latest published load per model id (may be empty: then assume idle)
 * @param attempts the calls made so far, oldest first
 * @param elapsedMillis time since the query was accepted
 */
public record PlanState(Query query, List<ModelCard> models, Map<String, PoolLoad> load, List<Attempt> attempts,
    long elapsedMillis) {
  public PlanState {
    Objects.requireNonNull(query, "query");
    models = List.copyOf(models);
    load = Map.copyOf(load);
    attempts = List.copyOf(attempts);
  }

  public static PlanState start(Query query, List<ModelCard> models) {
    return new PlanState(query, models, Map.of(), List.of(), 0);
  }

  public PlanState with(Attempt attempt) {
    List<Attempt> next = new ArrayList<>(attempts);
    next.add(attempt);
    return new PlanState(query, models, load, next, elapsedMillis);
  }

  public PlanState withLoad(Map<String, PoolLoad> newLoad, long newElapsedMillis) {
    return new PlanState(query, models, newLoad, attempts, newElapsedMillis);
  }

  /** Model calls made (answered or not): the round counter that budgets limit. */
  public int round() {
    return attempts.size();
  }

  public double spentUsd() {
    return attempts.stream().filter(Attempt::succeeded).mapToDouble(a -> a.response().costUsd()).sum();
  }

  public List<Response> responses() {
    return attempts.stream().filter(Attempt::succeeded).map(Attempt::response).toList();
  }

  public Optional<Response> lastResponse() {
    List<Response> r = responses();
    return r.isEmpty() ? Optional.empty() : Optional.of(r.get(r.size() - 1));
  }

  // loops, not streams: planners ask these several times per decision

  public boolean tried(String modelId) {
    for (Attempt a : attempts) {
      if (a.modelId().equals(modelId)) {
        return true;
      }
    }
    return false;
  }

  public Optional<ModelCard> card(String modelId) {
    for (ModelCard m : models) {
      if (m.id().equals(modelId)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  public PoolLoad loadOf(String modelId) {
    PoolLoad published = load.get(modelId);
    return published != null ? published : PoolLoad.idle(modelId);
  }

  /** True if the budget forbids another call (rounds or cost spent, or deadline passed). */
  public boolean budgetExhausted() {
    var b = query.budget();
    return b.roundsExhausted(round()) || b.costExhausted(spentUsd())
        || (b.deadlineMillis() > 0 && elapsedMillis >= b.deadlineMillis());
  }
}
