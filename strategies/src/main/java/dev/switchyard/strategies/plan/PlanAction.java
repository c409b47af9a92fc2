package dev.switchyard.strategies.plan;

import java.util.List;
import java.util.Objects;

/** What a planner wants done next, with the decisions that led to it. */
public sealed interface PlanAction {
  List<Decision> trace();

  /**
   * Call a model, with the query itself or (multi-round planners) a sub-query.
   *
   * @param answerAsIs the planner will answer with this call's answer, whatever it says, if the call succeeds (a
   *     router that does not verify, a fallback chain): the engine may then stream it to the client while the
   *     model generates it. False whenever the planner looks at the answer first (verifies, escalates,
   *     aggregates, or plans another round).
   */
  record Route(String modelId, String subQuery, List<Decision> trace, boolean answerAsIs) implements PlanAction {
    public Route {
      Objects.requireNonNull(modelId, "modelId");
      trace = List.copyOf(trace);
    }

    public Route(String modelId, String subQuery, List<Decision> trace) {
      this(modelId, subQuery, trace, false);
    }

    public static Route to(String modelId, List<Decision> trace) {
      return new Route(modelId, null, trace);
    }

    /** A call whose answer, when it succeeds, is the query's answer as it is. */
    public static Route answeredAsIs(String modelId, List<Decision> trace) {
      return new Route(modelId, null, trace, true);
    }
  }

  /**
   * Return an answer: one attempt's text, or an aggregate of several attempts' texts.
   *
   * @param modelId the model credited with the answer (for an aggregate, the model whose answer won)
   */
  record Answer(String text, String modelId, List<Decision> trace) implements PlanAction {
    public Answer {
      Objects.requireNonNull(text, "text");
      trace = List.copyOf(trace);
    }
  }

  /** Give no answer (an abstention is cheaper than a confident wrong answer for some objectives). */
  record Abstain(String reason, List<Decision> trace) implements PlanAction {
    public Abstain {
      trace = List.copyOf(trace);
    }
  }
}
