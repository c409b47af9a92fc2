package dev.switchyard.strategies.planner;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.bandit.Arms;
import dev.switchyard.strategies.bandit.Seeds;
import dev.switchyard.strategies.learn.OnlineLearnerBase;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.rl.SoftmaxPolicy;
import java.util.List;
import java.util.Map;
import java.util.Random;
/**
 * Router-R1's policy learning online: samples its actions (seeded by query id and round), and after each
 * episode replays the episode's calls to recover its states and takes one REINFORCE step with a running
 * baseline, {@code theta += rate (R - b) sum_t grad log pi(a_t)}, {@code b += 0.05 (R - b)}.
 */
final class RouterR1OnlineLearner extends OnlineLearnerBase {
  private final List<ModelCard> cards;
  private final ResponseSignals signals;
  private final QueryDifficulty difficulty;
  private final SoftmaxPolicy policy;
  private final double lambda;
  private final double rate;
  private final long seed;
  private final int maxRounds;
  private double baseline;

  RouterR1OnlineLearner(String name, List<ModelCard> cards, ResponseSignals signals, QueryDifficulty difficulty, double[] init,
      double lambda, double rate, long seed, int maxRounds, double temperature) {
    super(name);
    if (!(rate > 0)) {
      throw new IllegalArgumentException("online learning rate must be > 0, got " + rate);
    }
    this.cards = List.copyOf(cards);
    this.signals = signals;
    this.difficulty = difficulty;
    this.maxRounds = maxRounds;
    this.policy = new SoftmaxPolicy(RouterR1Planner.FEATURES, temperature);
    this.policy.load(init);
    this.lambda = lambda;
    this.rate = rate;
    this.seed = seed;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), "Zhang et al., Router-R1, arXiv 2506.09033 (online policy-gradient updates)",
        Dimensions.of(When.ONLINE, How.RL_POLICY, Signal.QUERY, Signal.MODEL_METADATA, Signal.RESPONSE,
            Signal.FEEDBACK),
        "linear softmax policy over action features; REINFORCE with a running baseline");
  }

  @Override
  public Planner planner() {
    return state -> {
      Random rnd = Seeds.forQuery(seed, state.query().id() + "#" + state.round());
      synchronized (this) {
        return RouterR1Planner.decide(state, policy, rnd, signals, difficulty,
            difficulty.estimate(state.query().text(), state.query().task()), maxRounds).action();
      }
    };
  }

  @Override
  protected boolean update(Episode episode) {
    if (episode.score() == null || episode.answerModel() == null) {
      return false;
    }
    Query query = new Query(episode.queryId(), List.of(ChatMessage.user(
        episode.queryText() == null ? "" : episode.queryText())), episode.task(), Budget.unlimited());
    PlanState state = PlanState.start(query, cards);
    double d = difficulty.estimate(query.text(), query.task());
    double[] grad = new double[RouterR1Planner.FEATURES];
    double r = episode.score() - lambda * episode.costUsd() / signals.costScale();
    double advantage = r - baseline;
    for (Response call : episode.calls()) {
      RouterR1Planner.Choice c = RouterR1Planner.decide(state, policy, null, signals, difficulty, d, maxRounds);
      int idx = indexOfRoute(state, call.modelId());
      if (idx < 0) {
        return false;
      }
      policy.accumulateGradient(c.features(), idx, advantage, grad);
      state = state.with(Attempt.answered(call));
    }
    boolean aggregated = episode.steps().stream().anyMatch(s -> s.stage() == Stage.AGGREGATE);
    RouterR1Planner.Choice last = RouterR1Planner.decide(state, policy, null, signals, difficulty, d, maxRounds);
    int finalIdx = finalIndex(last, aggregated);
    if (finalIdx >= 0) {
      policy.accumulateGradient(last.features(), finalIdx, advantage, grad);
    }
    policy.step(grad, rate, 1.0);
    baseline += 0.05 * (r - baseline);
    return true;
  }

  /** Index of the route to {@code model} among the candidates of {@link #decide} at this state. */
  private int indexOfRoute(PlanState state, String model) {
    int i = 0;
    if (state.round() >= maxRounds || state.budgetExhausted()) {
      return -1;
    }
    for (String m : Arms.available(state)) {
      if (state.tried(m)) {
        continue;
      }
      if (m.equals(model)) {
        return i;
      }
      i++;
    }
    return -1;
  }

  private static int finalIndex(RouterR1Planner.Choice c, boolean aggregated) {
    // Candidate order is routes, then answer, then aggregate (when at least two answers exist).
    double[][] f = c.features();
    for (int i = 0; i < f.length; i++) {
      if (aggregated ? f[i][13] == 1 : f[i][10] == 1) {
        return i;
      }
    }
    return -1;
  }

  @Override
  protected void writeParameters(Map<String, double[]> parameters) {
    parameters.put("theta", policy.parameters());
    parameters.put("baseline", new double[] {baseline});
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    policy.load(snapshot.parameter("theta"));
    baseline = Arms.scalar(snapshot.parameters(), "baseline");
  }
}
