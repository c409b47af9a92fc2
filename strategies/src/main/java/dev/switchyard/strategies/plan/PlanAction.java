package dev.switchyard.strategies.plan;

import java.util.List;
import java.util.Objects;

/** What a planner wants done next, with the decisions that led to it. */
public sealed interface PlanAction {
  List<Decision> trace();

  /** Call a model, with the query itself or (multi-round planners) a sub-query. */
  record Route(String modelId, String subQuery, List<Decision> trace) implements PlanAction {
    public Route {
      Objects.requireNonNull(modelId, "modelId");
      trace = List.copyOf(trace);
    }

    public static Route to(String modelId, List<Decision> trace) {
      return new Route(modelId, null, trace);
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
