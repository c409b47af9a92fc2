package dev.switchyard.strategies.cascade;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One operating point of an {@link AgreementCascade}: the policy (chain, tau) of every task group at one cost
 * weight, walked on a query. A pure function of the {@link PlanState}: it reads the earlier attempts' answer
 * text and confidence, never their reference score. The stopping rule and the failure handling are in
 * {@link AgreementCascade}.
 */
final class AgreementCascadePlanner implements Planner {
  private final FittedAgreementCascade fitted;
  private final Map<String, FittedAgreementCascade.Policy> policies = new HashMap<>();

  AgreementCascadePlanner(FittedAgreementCascade fitted, double lambda) {
    this.fitted = fitted;
    fitted.groups().forEach((key, g) -> policies.put(key, fitted.choose(g, lambda)));
  }

  @Override
  public PlanAction next(PlanState state) {
    String task = state.query().task();
    FittedAgreementCascade.Group g = fitted.groupOf(task);
    FittedAgreementCascade.Policy policy = policies.get(g.key);
    List<Decision> trace = new ArrayList<>();
    double[] p = new double[fitted.models.size()];
    int[] answer = new int[fitted.models.size()];
    Map<Integer, Response> responses = new HashMap<>();
    Map<String, Integer> ids = new HashMap<>();
    for (Attempt a : state.attempts()) {
      int j = fitted.models.indexOf(a.modelId());
      if (j < 0 || !a.succeeded()) {
        continue;
      }
      Response r = a.response();
      responses.put(j, r);
      p[j] = g.probability(j, r.confidence());
      answer[j] = ids.computeIfAbsent(Aggregation.normalise(r.text()), k -> ids.size());
    }
    if (responses.isEmpty()) {
      if (state.attempts().isEmpty()) {
        trace.add(Decision.of(Stage.PRE_ROUTE, fitted.models.get(policy.chain()[0]),
            "chain " + fitted.chainNames(policy.chain()) + " tau " + policy.tau(), policy.trainQuality()));
      }
      return routeNext(state, g, policy, trace)
          .orElseGet(() -> new PlanAction.Abstain("no model answered", trace));
    }
    int[] answered = Arrays.stream(g.order).filter(responses::containsKey).toArray();
    FittedAgreementCascade.Consensus cons = FittedAgreementCascade.consensus(fitted.useAgreement, answered, p, answer);
    Double stopProbability = g.stopProbability(answered, cons.features());
    double confidence = stopProbability != null ? stopProbability : p[cons.credited()];
    Response credited = responses.get(cons.credited());
    trace.add(Decision.of(Stage.VERIFY, credited.modelId(), fitted.useAgreement ? "consensus" : "confidence", confidence));
    double threshold = policy.tau();
    if (confidence < threshold && !state.budgetExhausted()) {
      var route = routeNextInChain(state, policy, trace);
      if (route.isPresent()) {
        return route.get();
      }
    }
    trace.add(Decision.of(Stage.ANSWER, credited.modelId(), confidence >= threshold ? "accept" : "end of chain",
        confidence));
    return new PlanAction.Answer(credited.text(), credited.modelId(), trace);
  }

  private java.util.Optional<PlanAction> routeNext(PlanState state, FittedAgreementCascade.Group g, FittedAgreementCascade.Policy policy, List<Decision> trace) {
    var inChain = routeNextInChain(state, policy, trace);
    if (inChain.isPresent() || state.budgetExhausted()) {
      return inChain;
    }
    // Nothing answered and the chain is used up: any untried model, cheapest first.
    for (int j : g.order) {
      String id = fitted.models.get(j);
      if (!state.tried(id) && state.card(id).isPresent() && !state.loadOf(id).circuitOpen()) {
        trace.add(Decision.of(Stage.ESCALATE, id, "fallback:" + id, Double.NaN));
        return java.util.Optional.of(PlanAction.Route.to(id, trace));
      }
    }
    return java.util.Optional.empty();
  }

  private java.util.Optional<PlanAction> routeNextInChain(PlanState state, FittedAgreementCascade.Policy policy, List<Decision> trace) {
    for (int j : policy.chain()) {
      String id = fitted.models.get(j);
      if (state.tried(id) || state.card(id).isEmpty() || state.loadOf(id).circuitOpen()) {
        continue;
      }
      ModelCard card = state.card(id).get();
      if (!state.query().budget().affords(state.spentUsd(), card.descriptor("mean_cost_usd", 0))) {
        continue;
      }
      trace.add(Decision.of(state.attempts().isEmpty() ? Stage.PRE_ROUTE : Stage.ESCALATE, id,
          (state.attempts().isEmpty() ? "route:" : "escalate:") + id, Double.NaN));
      return java.util.Optional.of(PlanAction.Route.to(id, trace));
    }
    return java.util.Optional.empty();
  }
}
