package dev.switchyard.actors.query;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.EngineSettings.RejectionPolicy;
import dev.switchyard.actors.learn.LocalPolicies;
import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.query.QueryEvent.AttemptFailed;
import dev.switchyard.actors.query.QueryEvent.ModelRouted;
import dev.switchyard.actors.query.QueryEvent.QueryAbstained;
import dev.switchyard.actors.query.QueryEvent.QueryAnswered;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One step of the query driver, pure: from the recorded run, the planner, the node's load view and the time,
 * what to do next. Enforces the budget (rounds, cost, deadline) and the hard round cap whatever the planner
 * says: when a limit is hit the query answers with the last response it has, or abstains if it has none.
 * Applies the rejection policy (reroute, or wait the pool's retry-after and call the same model again).
 */
final class QueryLogic {
  private QueryLogic() {}

  sealed interface Next {}

  /** Waiting for a call, or finished: nothing to do. */
  record Idle() implements Next {}

  /**
   * Journal the route, then call the model.
   *
   * @param answerAsIs the planner takes this call's answer as it is ({@link PlanAction.Route#answerAsIs()}), so
   *     a client streaming the query may have its tokens as they come
   */
  record CallModel(ModelRouted routed, boolean answerAsIs) implements Next {}

  /** Journal these events, then decide again (e.g. a route to an unknown model, failed without a call). */
  record Record(List<QueryEvent> events) implements Next {}

  /** Wait (rejection retry), then decide again with {@code retryDue}. */
  record Wait(long delayMillis) implements Next {}

  /** Journal the final event. */
  record Finish(QueryEvent event) implements Next {}

  /**
   * The planners a query uses: the acting one and, under shadow evaluation, a candidate, whose decisions are
   * recorded as {@code shadow:<candidateLabel>:...} ({@code v<N>} for a learner's candidate version, the
   * artifact's fingerprint for an installed shadow).
   */
  record Planners(Planner active, String candidateLabel, Planner candidate) {
    static Planners fixed(Planner planner) {
      return new Planners(planner, null, null);
    }

    static Planners of(LocalPolicies.View view) {
      return new Planners(view.active().planner(), "v" + view.candidateVersion(),
          view.candidate() == null ? null : view.candidate().planner());
    }

    /** The same planners with another acting one (e.g. the acting one timed). */
    Planners withActive(Planner acting) {
      return new Planners(acting, candidateLabel, candidate);
    }

    /** The same acting planner with {@code shadow} as the candidate (an installed shadow replaces a learner's). */
    Planners withShadow(String label, Planner shadow) {
      return new Planners(active, label, shadow);
    }
  }

  /**
   * How many load-publish intervals old a pool's "every circuit open" may be for a route to it to be refused
   * without a call; older news could be wrong (the circuit half-opens after its cooldown), so the call is made.
   */
  static final int CIRCUIT_NEWS_MULTIPLE = 3;

  static Next decide(QueryRun run, Planners planners, List<ModelCard> models, Set<String> modelIds,
      Map<String, PoolLoad> load, long now, EngineSettings settings, boolean retryDue) {
    if (!run.running() || run.pending() != null) {
      return new Idle();
    }
    if (run.cancelled()) {
      return forced(run, List.of(), run.cancelReason(), now);
    }
    long elapsed = now - run.acceptedAtMillis();
    long deadline = run.query().budget().deadlineMillis();
    if (deadline > 0 && elapsed >= deadline) {
      return forced(run, List.of(), "deadline of " + deadline + " ms exceeded", now);
    }
    if (run.attempts().size() >= settings.maxRounds()) {
      return forced(run, List.of(), "round cap of " + settings.maxRounds() + " reached", now);
    }
    Optional<FailureKind> lastFailure = run.lastOutcome().map(o -> o.failure());
    if (lastFailure.isPresent() && lastFailure.get() != null && lastFailure.get().isTenantRefusal()) {
      // the tenant cannot pay for (or may not yet make) another call: no other model is tried
      return forced(run, List.of(), "tenant " + run.query().tenant() + ": " + run.attempts()
          .get(run.attempts().size() - 1).failure(), now);
    }
    Optional<Attempt> broken = brokenStream(run);
    if (broken.isPresent()) {
      // part of that answer already reached the client: no other model may answer in its place
      return new Finish(new QueryAbstained(broken.get().failure(), List.of(), now));
    }
    Next retry = rejectionRetry(run, settings, retryDue, elapsed, deadline);
    if (retry != null) {
      return retry;
    }
    PlanState state = new PlanState(run.query(), models, load, run.attempts(), elapsed);
    PlanAction action;
    try {
      action = planners.active().next(state);
    } catch (RuntimeException e) {
      return new Finish(new QueryAbstained("planner failed: " + e, List.of(), now));
    }
    int round = run.attempts().size();
    List<EpisodeStep> decisions = new ArrayList<>();
    action.trace().forEach(d -> decisions.add(d.toStep(round)));
    shadow(planners, state, round).ifPresent(decisions::add);
    if (action instanceof PlanAction.Route route) {
      if (state.budgetExhausted()) {
        return forced(run, decisions, "budget exhausted", now);
      }
      ModelRouted routed = new ModelRouted(run.nextAttemptNo(), route.modelId(), route.subQuery(), decisions, now);
      if (!modelIds.contains(route.modelId())) {
        return new Record(List.of(routed, AttemptFailed.of(routed.attemptNo(), route.modelId(),
            FailureKind.UNKNOWN_MODEL, "no model " + route.modelId() + " in this deployment", -1, now)));
      }
      PoolLoad target = state.loadOf(route.modelId());
      if (target.circuitOpen() && now - target.timestampMillis() <= CIRCUIT_NEWS_MULTIPLE
          * settings.pool().loadPublishInterval().toMillis()) {
        // its pool said, moments ago, that every worker's circuit is open: refused here, without a call
        return new Record(List.of(routed, AttemptFailed.of(routed.attemptNo(), route.modelId(),
            FailureKind.CIRCUIT_OPEN, "every worker of " + route.modelId()
                + " has its circuit open (as its pool published " + (now - target.timestampMillis())
                + " ms ago); not called", -1, now)));
      }
      return new CallModel(routed, route.answerAsIs());
    }
    if (action instanceof PlanAction.Answer answer) {
      return new Finish(new QueryAnswered(answer.text(), answer.modelId(), decisions, now));
    }
    PlanAction.Abstain abstain = (PlanAction.Abstain) action;
    return new Finish(new QueryAbstained(abstain.reason(), decisions, now));
  }

  /** The last attempt, if it failed after part of its answer was streamed to the client. */
  private static Optional<Attempt> brokenStream(QueryRun run) {
    return run.lastOutcome().filter(o -> o.failure() == FailureKind.STREAM_BROKEN)
        .map(o -> run.attempts().get(run.attempts().size() - 1));
  }

  /** The deadline or cap was hit: answer with the last response, or abstain. */
  static Finish forced(QueryRun run, String why, long now) {
    return forced(run, List.of(), why, now);
  }

  private static Finish forced(QueryRun run, List<EpisodeStep> decisions, String why, long now) {
    Optional<Response> last = run.attempts().stream().filter(Attempt::succeeded).map(Attempt::response)
        .reduce((a, b) -> b);
    int round = run.attempts().size();
    List<EpisodeStep> all = new ArrayList<>(decisions);
    if (last.isPresent()) {
      all.add(EpisodeStep.decision(round, Stage.ANSWER, last.get().modelId(), "forced: " + why, Double.NaN));
      return new Finish(new QueryAnswered(last.get().text(), last.get().modelId(), all, now));
    }
    return new Finish(new QueryAbstained(why, all, now));
  }

  /** Under the retry policy: after a refusal, call the same model again once its retry-after has passed. */
  private static Next rejectionRetry(QueryRun run, EngineSettings settings, boolean retryDue, long elapsed,
      long deadline) {
    if (settings.rejectionPolicy() != RejectionPolicy.RETRY || run.lastOutcome().isEmpty()
        || !run.lastOutcome().get().refused()) {
      return null;
    }
    Attempt last = run.attempts().get(run.attempts().size() - 1);
    int consecutive = 0;
    for (int i = run.outcomes().size() - 1; i >= 0; i--) {
      QueryRun.Outcome o = run.outcomes().get(i);
      if (!o.refused() || !o.modelId().equals(last.modelId())) {
        break;
      }
      consecutive++;
    }
    if (consecutive > settings.rejectionMaxRetries()) {
      return null;
    }
    long wait = Math.min(Math.max(0, run.lastRetryAfterMillis()), settings.rejectionMaxWait().toMillis());
    if (deadline > 0 && elapsed + wait >= deadline) {
      return null;
    }
    if (!retryDue) {
      return new Wait(wait);
    }
    int round = run.attempts().size();
    EpisodeStep step = new Decision(Stage.ESCALATE, last.modelId(), "retry after rejection " + consecutive + "/"
        + settings.rejectionMaxRetries(), wait).toStep(round);
    // the same model again: its answer arrives whole (whether the planner takes it as it is is not recorded)
    return new CallModel(new ModelRouted(run.nextAttemptNo(), last.modelId(), last.subQuery(), List.of(step),
        run.acceptedAtMillis() + elapsed), false);
  }

  private static Optional<EpisodeStep> shadow(Planners planners, PlanState state, int round) {
    if (planners.candidate() == null) {
      return Optional.empty();
    }
    String prefix = "shadow:" + planners.candidateLabel() + ":";
    try {
      PlanAction action = planners.candidate().next(state);
      if (action instanceof PlanAction.Route r) {
        return Optional.of(EpisodeStep.decision(round, Stage.PRE_ROUTE, r.modelId(), prefix + "route", Double.NaN));
      }
      if (action instanceof PlanAction.Answer a) {
        return Optional.of(EpisodeStep.decision(round, Stage.ANSWER, a.modelId(), prefix + "answer", Double.NaN));
      }
      return Optional.of(EpisodeStep.decision(round, Stage.ABSTAIN, null, prefix + "abstain", Double.NaN));
    } catch (RuntimeException e) {
      return Optional.of(EpisodeStep.decision(round, Stage.THINK, null, prefix + "failed: " + e, Double.NaN));
    }
  }
}
