package dev.switchyard.simulator.learning;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders {@link LearningResults} as the markdown sections of {@code learning-results.md} (docs/LEARNING.md). */
final class LearningReport {
  private LearningReport() {}

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String e(double v) {
    return String.format(Locale.ROOT, "%.3e", v);
  }

  static String online(LearningResults.Online r) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Online learning (test split streamed in seeded order, every learner starts cold)\n\n");
    sb.append("Reward r = score - ").append(r.costWeight()).append(" * cost / ").append(e(r.costScale()))
        .append(" USD. ").append(r.queries()).append(" queries. Best fixed model in hindsight: ").append(r.bestFixed())
        .append(" (total reward ").append(f(r.bestFixedTotalReward()))
        .append("). Regret = best fixed total - learner total.\n\n");
    sb.append("| learner | cumulative reward | regret | regret/query | last-25% quality | last-25% cost USD |"
        + " calls/query |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (LearningResults.LearnerRun l : r.learners()) {
      sb.append("| ").append(l.learner()).append(" | ").append(f(l.totalReward())).append(" | ")
          .append(f(l.regret())).append(" | ").append(f(l.regretPerQuery())).append(" | ")
          .append(f(l.tailQuality())).append(" | ").append(e(l.tailCostUsd()))
          .append(" | ").append(f(l.callsPerQuery())).append(" |\n");
    }

    String best = r.bestFixed();
    sb.append("\n### Drift: ").append(best).append("'s correct answers are flipped to wrong with probability ")
        .append(r.flipProbability()).append(" after query ").append(r.changeAt()).append("\n\n");
    sb.append("Adaptation time = the number of queries after the change until, for the first time, at most 10% of"
        + " the last ").append(r.window()).append(" decisions (all taken after the change) called ")
        .append(best).append("; 'n/a' if the learner used it for under 10% of the ").append(r.window())
        .append(" decisions before the change; 'never' if not reached by the end. Best fixed model after the"
            + " change: ").append(r.bestFixedAfterChange()).append(".\n\n");
    sb.append("| learner | share of decisions calling ").append(best).append(" before | adaptation (queries) | post-change reward/query"
        + " | best fixed post-change reward/query |\n|---|---:|---:|---:|---:|\n");
    for (LearningResults.DriftRun d : r.drift()) {
      sb.append("| ").append(d.learner()).append(" | ").append(f(d.shareBefore())).append(" | ").append(d.adaptation())
          .append(" | ").append(f(d.postChangeRewardPerQuery())).append(" | ")
          .append(f(r.bestFixedPostChangeRewardPerQuery())).append(" |\n");
    }

    sb.append("\n### A new model joins: ").append(best).append(" is deployed only from query ").append(r.changeAt())
        .append("\n\n");
    sb.append("Adaptation time = the number of queries after the join until, for the first time, at least 50% of"
        + " the last ").append(r.window()).append(" decisions called ").append(best)
        .append(" (the best fixed model over the stream); 'never' if not reached.\n\n");
    sb.append("| learner | adaptation (queries) | share to new model in last 25% | post-join reward/query |\n"
        + "|---|---:|---:|---:|\n");
    for (LearningResults.JoinRun j : r.join()) {
      sb.append("| ").append(j.learner()).append(" | ").append(j.adaptation()).append(" | ")
          .append(f(j.tailShareToNewModel())).append(" | ")
          .append(f(j.postJoinRewardPerQuery())).append(" |\n");
    }
    sb.append('\n');
    return sb.toString();
  }

  static String multiRound(LearningResults.MultiRound r) {
    StringBuilder sb = new StringBuilder("## Multi-round: Router-R1 planner vs single-stage strategies (test split)\n\n");
    sb.append("Best single model (train): ").append(r.bestModel()).append(", test quality ")
        .append(f(r.bestModelQuality())).append(" at ").append(e(r.bestModelCost()))
        .append(" USD/query. Quality at a budget = the best test quality among a strategy's swept points whose"
            + " mean cost is within the budget.\n\n");
    sb.append("| strategy |");
    for (double b : r.budgetShares()) {
      sb.append(" q@").append((int) (b * 100)).append("% |");
    }
    sb.append("\n|---|");
    for (int i = 0; i < r.budgetShares().size(); i++) {
      sb.append("---:|");
    }
    sb.append('\n');
    for (Map.Entry<String, List<Double>> e : r.qualityAtBudget().entrySet()) {
      sb.append("| ").append(e.getKey()).append(" |");
      for (double q : e.getValue()) {
        sb.append(' ').append(f(q)).append(" |");
      }
      sb.append('\n');
    }
    sb.append("\nRouter-R1 points (lambda, quality, cost USD/query, calls/query):\n\n");
    for (LearningResults.Point p : r.frontiers().get("router-r1")) {
      sb.append("- ").append(p.tradeoff()).append(": ").append(f(p.quality())).append(", ").append(e(p.cost()))
          .append(", ").append(f(p.calls())).append('\n');
    }
    sb.append('\n');
    return sb.toString();
  }

  static String multiStep(LearningResults.MultiStep r) {
    StringBuilder sb = new StringBuilder("## Multi-step jobs: R2-Reasoner allocator vs fixed choices (test split)\n\n");
    sb.append(r.jobs()).append(" jobs of ").append(r.minSteps()).append("-")
        .append(r.maxSteps()).append(" recorded test queries each (seeded); a job succeeds when"
            + " every step's recorded answer is correct. Cheapest fixed = ").append(r.cheapest())
        .append(", strongest fixed = ").append(r.strongest()).append(" (by training mean).\n\n");
    sb.append("| allocation | success rate | mean cost USD/job |\n|---|---:|---:|\n");
    for (LearningResults.Allocation a : r.allocations()) {
      sb.append("| ").append(a.name()).append(" | ").append(f(a.successRate())).append(" | ")
          .append(e(a.meanCostPerJob())).append(" |\n");
    }
    sb.append('\n');
    return sb.toString();
  }
}
