package dev.switchyard.strategies.plan;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A planner fitted on one set of model ids serving models under other ids: a policy trained on recorded data
 * (models named as the recording names them) routing a fleet whose models are {@code recorded-as} those. The
 * state is shown to the inner planner under its ids and its actions come back under the fleet's.
 */
public final class RenamedPlanner implements Planner {
  private final Planner inner;
  private final Map<String, String> toInner;
  private final Map<String, String> toOuter = new HashMap<>();

  /** @param innerIdOf for each outer (fleet) model id, the id the inner planner knows it by */
  public RenamedPlanner(Planner inner, Map<String, String> innerIdOf) {
    this.inner = inner;
    this.toInner = Map.copyOf(innerIdOf);
    innerIdOf.forEach((outer, in) -> {
      if (toOuter.put(in, outer) != null) {
        throw new IllegalArgumentException("two models are known to the planner as " + in);
      }
    });
  }

  @Override
  public PlanAction next(PlanState state) {
    List<ModelCard> cards = state.models().stream().map(c -> new ModelCard(rename(c.id(), toInner),
        c.inputUsdPerMTok(), c.outputUsdPerMTok(), c.contextWindow(), c.meanLatencyMs(), c.joulesPerToken(),
        c.descriptors())).toList();
    Map<String, PoolLoad> load = new LinkedHashMap<>();
    state.load().forEach((id, l) -> load.put(rename(id, toInner), new PoolLoad(rename(l.modelId(), toInner),
        l.queued(), l.inFlight(), l.capacity(), l.ewmaLatencyMs(), l.errorRate(), l.circuitOpen(),
        l.timestampMillis())));
    List<Attempt> attempts = state.attempts().stream().map(a -> new Attempt(rename(a.modelId(), toInner),
        a.subQuery(), a.response() == null ? null : renamed(a.response(), toInner), a.failure())).toList();
    PlanAction action = inner.next(new PlanState(state.query(), cards, load, attempts, state.elapsedMillis()));
    if (action instanceof PlanAction.Route r) {
      return new PlanAction.Route(rename(r.modelId(), toOuter), r.subQuery(), trace(r.trace()), r.answerAsIs());
    }
    if (action instanceof PlanAction.Answer a) {
      return new PlanAction.Answer(a.text(), a.modelId() == null ? null : rename(a.modelId(), toOuter),
          trace(a.trace()));
    }
    return new PlanAction.Abstain(((PlanAction.Abstain) action).reason(), trace(action.trace()));
  }

  private List<Decision> trace(List<Decision> trace) {
    return trace.stream().map(d -> new Decision(d.stage(), d.modelId() == null ? null : rename(d.modelId(), toOuter),
        d.decision(), d.signal())).toList();
  }

  private static Response renamed(Response r, Map<String, String> ids) {
    return new Response(rename(r.modelId(), ids), r.text(), r.inputTokens(), r.outputTokens(), r.latencyMs(),
        r.costUsd(), r.energyJoules(), r.confidence(), r.referenceScore(), r.note(), r.toolCalls(), r.finishReason());
  }

  /** An id not in the map is passed as it is (a model the other side does not know stays unknown to it). */
  private static String rename(String id, Map<String, String> ids) {
    return ids.getOrDefault(id, id);
  }
}
