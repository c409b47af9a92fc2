package dev.switchyard.strategies.planner;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.bandit.Arms;
import dev.switchyard.strategies.bandit.Seeds;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.rl.SoftmaxPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Router-R1's served policy at one cost weight: the trained parameters, immutable, over the features of
 * {@link #decide} (the action features of {@link RouterR1}). The first call is the policy's most probable
 * model: sampling it only mixes in worse first models (the choice depends on the query's difficulty, and a
 * held-out part of the training split preferred greedy). Later rounds are sampled, as trained: the greedy action
 * of a softmax over many route actions is not what the trained stochastic policy does (the escalation mass is
 * split across models, while "answer" is a single action). Seeded by query id and round, so the planner is a
 * pure function of its state.
 */
final class RouterR1Planner implements Planner {
  static final int FEATURES = 20;
  private final FittedRouterR1 fitted;
  private final SoftmaxPolicy policy;
  private final int maxRounds;

  RouterR1Planner(FittedRouterR1 fitted, double[] parameters, int maxRounds, double temperature) {
    this.fitted = fitted;
    this.policy = new SoftmaxPolicy(FEATURES, temperature);
    this.policy.load(parameters);
    this.maxRounds = maxRounds;
  }

  @Override
  public PlanAction next(PlanState state) {
    QueryDifficulty diff = fitted.difficulty();
    return decide(state, policy, state.round() == 0 ? null
        : Seeds.forQuery(fitted.seed(), state.query().id() + "#" + state.round()),
        fitted.signals(), diff, diff.estimate(state.query().text(), state.query().task()), maxRounds).action();
  }

  /** A decision: the candidate actions' features, the chosen index and the action itself. */
  record Choice(double[][] features, int index, PlanAction action) {}

  private enum Kind { ROUTE, ANSWER, AGGREGATE }

  /**
   * Chooses greedily when {@code rnd} is null, else samples; {@code d} is the query's difficulty estimate
   * {@code d(x)} (cross-fitted in training, {@link QueryDifficulty#estimate} when served).
   */
  static Choice decide(PlanState state, SoftmaxPolicy policy, Random rnd, ResponseSignals sig,
      QueryDifficulty diff, double d, int maxRounds) {
    String task = state.query().task();
    List<Response> answers = state.responses();
    Response best = null;
    double cBest = 0;
    for (Response r : answers) {
      double c = sig.confidence(state, r);
      if (best == null || c > cBest) {
        best = r;
        cBest = c;
      }
    }
    double qBest = best == null ? 0 : state.card(best.modelId()).map(k -> ResponseSignals.quality(k, task))
        .orElse(cBest);
    double agreement = best == null || answers.size() < 2 ? 0 : Aggregation.agreement(best, answers);
    boolean none = answers.isEmpty();
    double roundShare = state.round() / (double) maxRounds;

    List<double[]> feats = new ArrayList<>();
    List<Kind> kinds = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    if (state.round() < maxRounds && !state.budgetExhausted()) {
      for (String m : Arms.available(state)) {
        if (state.tried(m)) {
          continue;
        }
        ModelCard card = state.card(m).orElseThrow();
        double q = ResponseSignals.quality(card, task);
        double c = sig.cost(card);
        double p = diff.modelCorrectness(q, d, task);
        double[] f = new double[FEATURES];
        if (none) {
          f[0] = 1;
          f[1] = q;
          f[2] = c;
          f[16] = p;
          f[17] = c * d;
        } else {
          f[3] = 1;
          f[4] = q;
          f[5] = c;
          f[6] = q * (1 - cBest);
          f[7] = q - qBest;
          f[8] = roundShare;
          f[9] = 1 - cBest;
          f[18] = p * (1 - cBest);
        }
        feats.add(f);
        kinds.add(Kind.ROUTE);
        targets.add(m);
      }
    }
    if (best != null) {
      double[] f = new double[FEATURES];
      f[10] = 1;
      f[11] = cBest;
      f[12] = agreement;
      f[19] = d;
      feats.add(f);
      kinds.add(Kind.ANSWER);
      targets.add(best.modelId());
    }
    Response winner = null;
    if (answers.size() >= 2) {
      final PlanState s = state;
      winner = Aggregation.weightedVote(answers, r -> sig.confidence(s, r));
      double totalWeight = 0;
      double winnerWeight = 0;
      String key = Aggregation.normalise(winner.text());
      for (Response r : answers) {
        double w = sig.confidence(state, r);
        totalWeight += w;
        if (Aggregation.normalise(r.text()).equals(key)) {
          winnerWeight += w;
        }
      }
      double[] f = new double[FEATURES];
      f[13] = 1;
      f[14] = totalWeight > 0 ? winnerWeight / totalWeight : 0;
      f[15] = answers.size() / (double) maxRounds;
      feats.add(f);
      kinds.add(Kind.AGGREGATE);
      targets.add(winner.modelId());
    }
    List<Decision> trace = new ArrayList<>();
    if (feats.isEmpty()) {
      trace.add(Decision.of(Stage.ABSTAIN, null, "no answer and no model left", Double.NaN));
      return new Choice(new double[0][], -1, new PlanAction.Abstain("no answer and no model left", trace));
    }
    double[][] f = feats.toArray(new double[0][]);
    int i = rnd == null ? policy.greedy(f) : policy.sample(f, rnd);
    double p = policy.probabilities(f)[i];
    trace.add(Decision.of(Stage.THINK, targets.get(i), "think:" + kinds.get(i).name().toLowerCase(), p));
    PlanAction action = switch (kinds.get(i)) {
      case ROUTE -> {
        trace.add(Decision.of(state.round() == 0 ? Stage.PRE_ROUTE : Stage.ESCALATE, targets.get(i),
            "route:" + targets.get(i), p));
        yield PlanAction.Route.to(targets.get(i), trace);
      }
      case ANSWER -> {
        trace.add(Decision.of(Stage.ANSWER, best.modelId(), "answer", cBest));
        yield new PlanAction.Answer(best.text(), best.modelId(), trace);
      }
      case AGGREGATE -> {
        trace.add(Decision.of(Stage.AGGREGATE, winner.modelId(), "weighted-vote", answers.size()));
        yield new PlanAction.Answer(winner.text(), winner.modelId(), trace);
      }
    };
    return new Choice(f, i, action);
  }
}
