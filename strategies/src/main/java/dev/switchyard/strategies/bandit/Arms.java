package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.plan.PlanState;
import java.util.ArrayList;
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
    List<String> open = new ArrayList<>(state.models().size());
    for (ModelCard card : state.models()) {
      if (!state.loadOf(card.id()).circuitOpen()) {
        open.add(card.id());
      }
    }
    if (!open.isEmpty()) {
      return List.copyOf(open);
    }
    List<String> all = new ArrayList<>(state.models().size());
    for (ModelCard card : state.models()) {
      all.add(card.id());
    }
    return List.copyOf(all);
  }

  /** Ranking by descending score, ties kept in deployment order; the first model's score is reported. */
  public static RouteDecision rank(List<String> arms, ToDoubleFunction<String> score, String reason) {
    if (arms.isEmpty()) {
      throw new IllegalArgumentException("no model to route to: the plan state lists no model cards");
    }
    List<String> ids = new ArrayList<>(arms);
    int n = ids.size();
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      scores[i] = score.applyAsDouble(ids.get(i));
    }
    // insertion sort of the indices by the comparator the ranking always had (descending score by
    // Double.compare of the negated scores, then index): a total order, so the result is the same as any
    // sort's, without boxing an index list (a handful of arms)
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      int j = i;
      while (j > 0 && before(i, order[j - 1], scores)) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    String[] ranking = new String[n];
    for (int k = 0; k < n; k++) {
      ranking[k] = ids.get(order[k]);
    }
    return new RouteDecision(List.of(ranking), scores[order[0]], reason);
  }

  /** Whether arm {@code i} ranks before arm {@code j}. */
  private static boolean before(int i, int j, double[] scores) {
    int byScore = Double.compare(-scores[i], -scores[j]);
    return byScore < 0 || (byScore == 0 && i < j);
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
