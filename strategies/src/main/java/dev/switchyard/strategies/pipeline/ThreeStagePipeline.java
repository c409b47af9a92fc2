package dev.switchyard.strategies.pipeline;

import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The survey's control pipeline (§10) as a planner: a pre-router picks the first model, a verifier scores
 * each answer, an escalation policy accepts, escalates, aggregates or abstains. A refused or failed call is
 * spilled to the next untried model of the ranking; when the budget is spent, the answer with the highest
 * verified confidence is returned.
 */
public final class ThreeStagePipeline implements Planner {
  private final PreRouter preRouter;
  private final Verifier verifier;
  private final EscalationPolicy escalation;
  /** Every answer is accepted as it is ({@link #routeOnly}): its routes say so, so the answer may stream. */
  private final boolean acceptsEveryAnswer;

  public ThreeStagePipeline(PreRouter preRouter, Verifier verifier, EscalationPolicy escalation) {
    this(preRouter, verifier, escalation, false);
  }

  private ThreeStagePipeline(PreRouter preRouter, Verifier verifier, EscalationPolicy escalation,
      boolean acceptsEveryAnswer) {
    this.preRouter = Objects.requireNonNull(preRouter, "preRouter");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.escalation = Objects.requireNonNull(escalation, "escalation");
    this.acceptsEveryAnswer = acceptsEveryAnswer;
  }

  /** A router that answers with its first choice, never verifying. */
  public static ThreeStagePipeline routeOnly(PreRouter preRouter) {
    return new ThreeStagePipeline(preRouter, (s, r) -> 1.0, (s, c, r) -> Escalation.accept(), true);
  }

  @Override
  public PlanAction next(PlanState state) {
    RouteDecision route = preRouter.route(state);
    List<Decision> trace = new ArrayList<>();
    if (state.attempts().isEmpty()) {
      trace.add(Decision.of(Stage.PRE_ROUTE, route.ranking().get(0), route.reason(), route.score()));
      return routeOrFallback(state, route, trace);
    }
    Attempt last = state.attempts().get(state.attempts().size() - 1);
    if (!last.succeeded()) {
      return routeOrFallback(state, route, trace);
    }
    Response answer = last.response();
    double confidence = verifier.confidence(state, answer);
    trace.add(Decision.of(Stage.VERIFY, answer.modelId(), "confidence", confidence));
    if (state.budgetExhausted()) {
      return bestSoFar(state, trace, "budget exhausted");
    }
    Escalation verdict = escalation.decide(state, confidence, route);
    if (verdict instanceof Escalation.Accept) {
      trace.add(Decision.of(Stage.ANSWER, answer.modelId(), "accept", confidence));
      return new PlanAction.Answer(answer.text(), answer.modelId(), trace);
    }
    if (verdict instanceof Escalation.EscalateTo to) {
      trace.add(Decision.of(Stage.ESCALATE, to.modelId(), "escalate:" + to.modelId(), confidence));
      return PlanAction.Route.to(to.modelId(), trace);
    }
    if (verdict instanceof Escalation.Aggregate) {
      Response winner = Aggregation.weightedVote(state.responses(), r -> verifier.confidence(state, r));
      trace.add(Decision.of(Stage.AGGREGATE, winner.modelId(), "weighted-vote", state.responses().size()));
      return new PlanAction.Answer(winner.text(), winner.modelId(), trace);
    }
    Escalation.Abstain abstain = (Escalation.Abstain) verdict;
    trace.add(Decision.of(Stage.ABSTAIN, null, abstain.reason(), confidence));
    return new PlanAction.Abstain(abstain.reason(), trace);
  }

  private PlanAction routeOrFallback(PlanState state, RouteDecision route, List<Decision> trace) {
    Optional<String> next = Optional.empty();
    for (String m : route.ranking()) {
      if (!state.tried(m) && !state.loadOf(m).circuitOpen()) {
        next = Optional.of(m);
        break;
      }
    }
    if (next.isPresent() && !state.budgetExhausted()) {
      return acceptsEveryAnswer ? PlanAction.Route.answeredAsIs(next.get(), trace)
          : PlanAction.Route.to(next.get(), trace);
    }
    if (!state.responses().isEmpty()) {
      return bestSoFar(state, trace, next.isPresent() ? "budget exhausted" : "no model left to try");
    }
    String reason = next.isPresent() ? "budget exhausted before any answer" : "every ranked model refused or failed";
    trace.add(Decision.of(Stage.ABSTAIN, null, reason, Double.NaN));
    return new PlanAction.Abstain(reason, trace);
  }

  private PlanAction bestSoFar(PlanState state, List<Decision> trace, String why) {
    Response best = state.responses().stream()
        .max(Comparator.comparingDouble(r -> verifier.confidence(state, r)))
        .orElseThrow();
    trace.add(Decision.of(Stage.ANSWER, best.modelId(), "best-so-far: " + why, verifier.confidence(state, best)));
    return new PlanAction.Answer(best.text(), best.modelId(), trace);
  }
}
