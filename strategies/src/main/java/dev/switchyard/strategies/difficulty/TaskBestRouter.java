package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.AgreementCascade;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reference router "per-task best model, cost weight swept": for each task seen in training, the model that
 * maximises {@code mean quality - lambda * mean cost / c_ref} on the training queries of that task; unseen
 * tasks use the same rule over all training queries. {@code c_ref} is the highest mean training cost of any
 * model and {@code lambda} the swept trade-off. This is the non-learned routing baseline of the routing
 * literature (e.g. the task-level oracle router of Hu et al., RouterBench, arXiv 2403.12031), estimated on
 * train. One call per query; the routed answer is returned as is.
 */
public final class TaskBestRouter implements Strategy {
  private static final String POOLED = "*";
  private final Map<String, Map<String, double[]>> stats = new HashMap<>();
  private List<String> models = List.of();
  private double costScale = 1;

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("baseline-task-best", "Hu et al., RouterBench, arXiv 2403.12031 (task-level router)",
        Dimensions.of(When.PRE_GENERATION, How.HEURISTIC, Signal.QUERY, Signal.MODEL_METADATA),
        "reference row of issue 3: the task label is the only query feature");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    models = List.copyOf(train.models());
    costScale = models.stream().mapToDouble(train::meanCost).max().orElse(1.0);
    costScale = costScale > 0 ? costScale : 1.0;
    stats.clear();
    Map<String, List<RecordedQuery>> byTask = new LinkedHashMap<>();
    byTask.put(POOLED, train.queries());
    for (RecordedQuery q : train.queries()) {
      byTask.computeIfAbsent(q.task(), t -> new ArrayList<>()).add(q);
    }
    byTask.forEach((task, queries) -> {
      Map<String, double[]> perModel = new LinkedHashMap<>();
      for (String m : models) {
        double q = 0;
        double c = 0;
        for (RecordedQuery rq : queries) {
          q += rq.outcome(m).score();
          c += rq.outcome(m).costUsd();
        }
        perModel.put(m, new double[] {q / queries.size(), c / queries.size()});
      }
      stats.put(task, perModel);
    });
  }

  /** The model one task uses at cost weight {@code lambda}; ties go to the cheaper model. */
  public String choice(String task, double lambda) {
    if (stats.isEmpty()) {
      throw new IllegalStateException("baseline-task-best: fit() must run before planner()");
    }
    Map<String, double[]> perModel = stats.getOrDefault(task == null ? POOLED : task, stats.get(POOLED));
    String best = null;
    double bestUtility = Double.NEGATIVE_INFINITY;
    for (var e : perModel.entrySet()) {
      double u = e.getValue()[0] - lambda * e.getValue()[1] / costScale;
      if (u > bestUtility + 1e-12
          || (Math.abs(u - bestUtility) <= 1e-12 && e.getValue()[1] < perModel.get(best)[1])) {
        best = e.getKey();
        bestUtility = u;
      }
    }
    return best;
  }

  /** 0 and 60 log-spaced cost weights from 1e-3 to 1e3. */
  @Override
  public double[] tradeoffs() {
    return AgreementCascade.lambdaGrid(60);
  }

  @Override
  public Planner planner(double lambda) {
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException("baseline-task-best: cost weight must be >= 0, got " + lambda);
    }
    Map<String, String> choices = new HashMap<>();
    stats.keySet().forEach(task -> choices.put(task, choice(task, lambda)));
    return state -> {
      String task = state.query().task();
      String model = choices.getOrDefault(task == null ? POOLED : task, choices.get(POOLED));
      if (state.responses().isEmpty()) {
        if (!state.tried(model) && !state.budgetExhausted()) {
          return PlanAction.Route.to(model, List.of(Decision.of(Stage.PRE_ROUTE, model, "task-best", lambda)));
        }
        return new PlanAction.Abstain(model + " did not answer", List.of());
      }
      var r = state.lastResponse().orElseThrow();
      return new PlanAction.Answer(r.text(), r.modelId(), List.of(Decision.of(Stage.ANSWER, r.modelId(), "accept",
          Double.NaN)));
    };
  }
}
