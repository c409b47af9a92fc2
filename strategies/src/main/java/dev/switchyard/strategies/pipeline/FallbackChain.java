package dev.switchyard.strategies.pipeline;

import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.List;
import java.util.Optional;

/**
 * Tries the listed models in order and answers with the first that answers: the next one when a call fails
 * (server error, timeout, rate limit after the pool's own retries) or is refused (pool full, circuit open).
 * What every gateway calls a fallback chain; with one model it is a plain passthrough. Needs no training.
 */
public final class FallbackChain implements Planner {
  public static final String NAME = "fallback";

  private final List<String> models;

  public FallbackChain(List<String> models) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("a fallback chain needs at least one model");
    }
    this.models = List.copyOf(models);
  }

  public static StrategyInfo info() {
    return new StrategyInfo(NAME, "fallback chain, as in LiteLLM and Portkey gateways",
        Dimensions.of(When.PRE_GENERATION, How.HEURISTIC, Signal.MODEL_METADATA),
        "the next model is called only when the previous one failed or refused the call");
  }

  @Override
  public PlanAction next(PlanState state) {
    Optional<Attempt> answered = state.attempts().stream().filter(Attempt::succeeded).findFirst();
    if (answered.isPresent()) {
      var r = answered.get().response();
      return new PlanAction.Answer(r.text(), r.modelId(),
          List.of(Decision.of(Stage.ANSWER, r.modelId(), "first answer of the chain", Double.NaN)));
    }
    for (String model : models) {
      if (!state.tried(model)) {
        String why = state.attempts().isEmpty() ? "first of the chain"
            : "previous model failed: " + state.attempts().get(state.attempts().size() - 1).failure();
        return PlanAction.Route.answeredAsIs(model, List.of(Decision.of(Stage.PRE_ROUTE, model, why, Double.NaN)));
      }
    }
    return new PlanAction.Abstain("every model of the chain failed: " + String.join("; ",
        state.attempts().stream().map(a -> a.modelId() + ": " + a.failure()).toList()), List.of());
  }
}
