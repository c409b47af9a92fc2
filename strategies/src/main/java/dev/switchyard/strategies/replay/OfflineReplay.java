package dev.switchyard.strategies.replay;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.data.Replay;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Drives a {@link Planner} over one recorded query without actors: every routed model "answers" with what it
 * answered in the recording. The offline evaluator and the learning benchmarks use it, so a strategy is judged
 * by the same planner the engine serves. Calls run one after another, so latency is their sum.
 *
 * <p>The final answer is scored with the recorded score of the model credited with it; an abstention scores
 * {@code abstainScore}. A planner that keeps routing is stopped after {@code hardRoundLimit} calls and its
 * best answer so far is taken as its last response.
 */
public final class OfflineReplay {
  private OfflineReplay() {}

  /** One replayed query. {@code calls} lists the models called, in order. */
  public record Outcome(String queryId, String answerModel, boolean abstained, double score, double costUsd,
      double latencyMs, double energyJoules, List<String> calls, Episode episode) {}

  public static Outcome run(Planner planner, RecordedQuery recorded, List<ModelCard> cards, Budget budget,
      String pipeline, double abstainScore) {
    Map<String, ModelCard> byId = new java.util.HashMap<>();
    cards.forEach(c -> byId.put(c.id(), c));
    return run(planner, recorded, cards, budget, pipeline, abstainScore,
        model -> Replay.response(recorded, model, byId.get(model), null));
  }

  /** As above, with the responses supplied by {@code respond} (e.g. a perturbed, non-stationary replay). */
  public static Outcome run(Planner planner, RecordedQuery recorded, List<ModelCard> cards, Budget budget,
      String pipeline, double abstainScore, Function<String, Response> respond) {
    Query query = new Query(recorded.id(), List.of(dev.switchyard.protocol.ChatMessage.user(recorded.prompt())),
        recorded.task(), budget);
    PlanState state = PlanState.start(query, cards);
    List<EpisodeStep> steps = new ArrayList<>();
    List<String> calls = new ArrayList<>();
    int hardRoundLimit = 2 * cards.size() + 4;
    double latency = 0;
    double energy = 0;
    while (true) {
      PlanAction action = planner.next(state);
      int round = state.round();
      action.trace().forEach(d -> steps.add(d.toStep(round)));
      if (action instanceof PlanAction.Route route && state.round() < hardRoundLimit) {
        Response response = respond.apply(route.modelId());
        calls.add(route.modelId());
        latency += response.latencyMs();
        energy += response.energyJoules();
        steps.add(EpisodeStep.generated(round + 1, response));
        state = state.with(new Attempt(route.modelId(), route.subQuery(), response, null));
        continue;
      }
      String answerModel = null;
      String answer = null;
      double score = abstainScore;
      if (action instanceof PlanAction.Answer a) {
        answerModel = a.modelId();
        answer = a.text();
        score = recorded.outcome(a.modelId()).score();
      } else if (action instanceof PlanAction.Route) {
        Response last = state.lastResponse().orElseThrow();
        answerModel = last.modelId();
        answer = last.text();
        score = recorded.outcome(answerModel).score();
        steps.add(EpisodeStep.decision(state.round(), Stage.ANSWER, answerModel, "hard round limit", Double.NaN));
      }
      double cost = state.spentUsd();
      Episode episode = new Episode(recorded.id(), pipeline, recorded.task(), recorded.prompt(), steps, answerModel,
          answer, cost, latency, score, 0, 0, 0);
      return new Outcome(recorded.id(), answerModel, answerModel == null, score, cost, latency, energy,
          List.copyOf(calls), episode);
    }
  }
}
