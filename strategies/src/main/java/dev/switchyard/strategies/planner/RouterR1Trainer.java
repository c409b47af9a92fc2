package dev.switchyard.strategies.planner;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.bandit.Seeds;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.data.Replay;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.rl.SoftmaxPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains Router-R1's policy for one cost weight {@code lambda} on recorded outcomes: REINFORCE with a
 * leave-one-out baseline over {@code group} sampled trajectories per training query, {@code theta += lr *
 * mean_g A_g sum_t grad log pi(a_t)} with {@code A_g = R_g - mean_{h != g} R_h} and {@code R = correctness -
 * lambda * cost / costScale}, each trajectory replayed on the query's recorded answers. Deterministic for a
 * seed and cost weight.
 */
final class RouterR1Trainer {
  /** Largest parameter change of one training step (a guard against rare huge gradients). */
  static final double MAX_STEP = 1.0;
  private final FittedRouterR1 fitted;
  private final int maxRounds;
  private final int epochs;
  private final int group;
  private final double learningRate;
  private final double temperature;

  RouterR1Trainer(FittedRouterR1 fitted, int maxRounds, int epochs, int group, double learningRate,
      double temperature) {
    this.fitted = fitted;
    this.maxRounds = maxRounds;
    this.epochs = epochs;
    this.group = group;
    this.learningRate = learningRate;
    this.temperature = temperature;
  }

  double[] train(double lambda) {
    SoftmaxPolicy policy = new SoftmaxPolicy(RouterR1Planner.FEATURES, temperature);
    policy.load(initialParameters());
    Map<String, ModelCard> byId = new HashMap<>();
    fitted.cards().forEach(c -> byId.put(c.id(), c));
    Random rnd = new Random(Seeds.mix(fitted.seed(), "router-r1/" + lambda));
    List<RecordedQuery> order = new ArrayList<>(fitted.train().queries());
    for (int epoch = 0; epoch < epochs; epoch++) {
      Collections.shuffle(order, rnd);
      for (RecordedQuery q : order) {
        double[] rewards = new double[group];
        List<List<Step>> paths = new ArrayList<>();
        for (int g = 0; g < group; g++) {
          List<Step> path = new ArrayList<>();
          rewards[g] = rollout(q, policy, rnd, lambda, byId, path);
          paths.add(path);
        }
        double total = 0;
        for (double r : rewards) {
          total += r;
        }
        double[] grad = new double[RouterR1Planner.FEATURES];
        for (int g = 0; g < group; g++) {
          // Leave-one-out baseline, not divided by the group's standard deviation: when every trajectory is
          // equally right, dividing would blow tiny cost differences up into full-size updates.
          double advantage = rewards[g] - (total - rewards[g]) / (group - 1);
          for (Step s : paths.get(g)) {
            policy.accumulateGradient(s.features, s.chosen, advantage / group, grad);
          }
        }
        policy.step(grad, learningRate, MAX_STEP);
      }
    }
    return policy.parameters();
  }

  /**
   * The starting point of training: every weight 0 except "answer when confident, call again when not"
   * ({@code +2} on {@code c*} for answer and on {@code 1 - c*} for a later call). From all zeros, REINFORCE
   * often settles in the local optimum "always answer the first call" before the confidence weights grow.
   */
  static double[] initialParameters() {
    double[] theta = new double[RouterR1Planner.FEATURES];
    theta[9] = 2;
    theta[11] = 2;
    return theta;
  }

  private double rollout(RecordedQuery q, SoftmaxPolicy policy, Random rnd, double lambda,
      Map<String, ModelCard> byId, List<Step> path) {
    Query query = new Query(q.id(), List.of(ChatMessage.user(q.prompt())), q.task(), Budget.unlimited());
    PlanState state = PlanState.start(query, fitted.cards());
    double d = fitted.difficulty().outOfFold(q);
    while (true) {
      RouterR1Planner.Choice c = RouterR1Planner.decide(state, policy, rnd, fitted.signals(), fitted.difficulty(), d,
          maxRounds);
      path.add(new Step(c.features(), c.index()));
      if (c.action() instanceof PlanAction.Route r) {
        Response resp = Replay.response(q, r.modelId(), byId.get(r.modelId()), null);
        state = state.with(Attempt.answered(resp));
        continue;
      }
      if (c.action() instanceof PlanAction.Answer a) {
        return q.outcome(a.modelId()).score() - lambda * state.spentUsd() / fitted.signals().costScale();
      }
      return -lambda * state.spentUsd() / fitted.signals().costScale();
    }
  }

  private record Step(double[][] features, int chosen) {}
}
