package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.plan.PlanState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Helpers shared by the learners (the rest is {@link dev.switchyard.strategies.learn.OnlineLearnerBase}): the arms are the model cards of the plan state (so a model added to the
 * deployment later becomes an arm the moment it appears), ranked by a score; snapshot parameters are named
 * {@code arm/<model id>/<field>}.
 */
public final class Arms {
  private Arms() {}

  /** Models the planner may use now: those whose circuit is closed, or all of them if every one is open. */
  public static List<String> available(PlanState state) {
    List<String> open = state.models().stream().map(ModelCard::id)
        .filter(m -> !state.loadOf(m).circuitOpen()).toList();
    return open.isEmpty() ? state.models().stream().map(ModelCard::id).toList() : open;
  }

  /** Ranking by descending score, ties kept in deployment order; the first model's score is reported. */
  public static RouteDecision rank(List<String> arms, ToDoubleFunction<String> score, String reason) {
    if (arms.isEmpty()) {
      throw new IllegalArgumentException("no model to route to: the plan state lists no model cards");
    }
    List<String> ids = new ArrayList<>(arms);
    double[] scores = new double[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      scores[i] = score.applyAsDouble(ids.get(i));
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
    List<String> ranking = order.stream().map(ids::get).toList();
    return new RouteDecision(ranking, scores[order.get(0)], reason);
  }

  public static String key(String arm, String field) {
    return "arm/" + arm + "/" + field;
  }

  /** The arm ids named in a snapshot's parameters, sorted. */
  public static List<String> armsIn(PolicySnapshot snapshot) {
    TreeSet<String> arms = new TreeSet<>();
    for (String k : snapshot.parameters().keySet()) {
      if (k.startsWith("arm/")) {
        arms.add(k.substring(4, k.lastIndexOf('/')));
      }
    }
    return List.copyOf(arms);
  }

  public static double scalar(Map<String, double[]> params, String name) {
    double[] v = params.get(name);
    if (v == null || v.length != 1) {
      throw new IllegalArgumentException("snapshot lacks scalar parameter '" + name + "'");
    }
    return v[0];
  }
}
