package dev.switchyard.strategies.planner;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.bandit.Arms;
import dev.switchyard.strategies.bandit.Seeds;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.data.Replay;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.learn.OnlineLearnerBase;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.rl.SoftmaxPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Router-R1 (Zhang et al., "Router-R1: Teaching LLMs Multi-Round Routing and Aggregation via Reinforcement
 * Learning", arXiv 2506.09033): a multi-round policy over the actions route (model, sub-query), aggregate and
 * answer, at most {@code maxRounds} model calls, conditioned on model descriptors so that a model added later
 * is usable without retraining.
 *
 * <p>Policy: a linear softmax over action features ({@link SoftmaxPolicy}). The query enters through a
 * model-agnostic difficulty estimate {@code d(x)} = P(an average model answers x correctly) ({@link
 * QueryDifficulty}: logistic regression on lexical cues, hashed n-grams and the task, fitted on the training
 * split; cross-fitted, out-of-fold values for the training queries themselves), combined with a card's task
 * quality {@code q_m} into a Rasch-style per-query correctness {@code p_m(x) = sigmoid(logit q_m + logit d(x) -
 * logit dbar_task)}. A route action to model {@code m} is described by {@code q_m}, its expected cost {@code c_m}
 * (card descriptors) and {@code p_m(x)}, with separate weights for the first call and for later calls; the first
 * call also by {@code c_m d(x)} (paying for a strong model is worth less on an easy query); a later call also by
 * its interaction with the best calibrated confidence so far {@code c*} ({@code q_m (1 - c*)}, {@code p_m(x) (1 -
 * c*)}, {@code 1 - c*}, {@code q_m - q} of the best answer's model) and the round; answer (the most confident
 * answer so far) by {@code c*}, the agreement among answers and {@code d(x)}; aggregate (a confidence-weighted
 * vote, {@link Aggregation}) by the winner's vote share. Because every feature is computed from cards, answers
 * and the query, never from a model id, a model added later is scored without retraining. Reward {@code R =
 * correctness - lambda * cost / costScale}. Training: REINFORCE with a leave-one-out baseline over {@code group}
 * sampled trajectories per training query, {@code theta += lr * mean_g A_g sum_t grad log pi(a_t)} with {@code
 * A_g = R_g - mean_{h != g} R_h}, replayed on recorded outcomes. {@link #learner} returns the same policy as an
 * {@link OnlineLearner} updated by the same rule with a running baseline (it samples every action, to explore).
 * The served planner takes the policy's most probable first call and samples later actions from the policy
 * with a generator seeded by the query id and round (as in training). Each round adds a {@code THINK} step to
 * the trace (the policy's probability of its choice).
 */
public final class RouterR1 implements Strategy {
  static final int FEATURES = 20;
  /** Largest parameter change of one training step (a guard against rare huge gradients). */
  static final double MAX_STEP = 1.0;
  /**
   * Cost weights of the sweep. Dense because the served first call is greedy: each cost weight sends whole
   * groups of queries (by task and difficulty) to another first model, so the frontier moves in steps and a
   * coarse grid leaves budgets between them without a point (checked on a held-out part of the training split).
   */
  private static final double[] TRADEOFFS = {0, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.275, 0.35, 0.5, 0.75, 1.0,
      1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0};
  private final int maxRounds;
  private final int epochs;
  private final int group;
  private final double learningRate;
  private final double temperature;
  private RecordedDataset train;
  private List<ModelCard> cards = List.of();
  private ResponseSignals signals;
  private QueryDifficulty difficulty;
  private long seed;
  private final Map<Double, double[]> trained = new TreeMap<>();

  public RouterR1(int maxRounds, int epochs, int group, double learningRate, double temperature) {
    if (maxRounds < 1 || epochs < 0 || group < 2 || !(learningRate > 0) || !(temperature > 0)) {
      throw new IllegalArgumentException("Router-R1 needs maxRounds >= 1, epochs >= 0, group >= 2, lr > 0,"
          + " temperature > 0; got " + maxRounds + ", " + epochs + ", " + group + ", " + learningRate + ", "
          + temperature);
    }
    this.maxRounds = maxRounds;
    this.epochs = epochs;
    this.group = group;
    this.learningRate = learningRate;
    this.temperature = temperature;
  }

  /** 4 rounds, 16 epochs, groups of 8, learning rate 0.2, temperature 0.5. */
  public RouterR1() {
    this(4, 16, 8, 0.2, 0.5);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("router-r1",
        "Zhang et al., Router-R1: Teaching LLMs Multi-Round Routing and Aggregation via RL, arXiv 2506.09033",
        Dimensions.of(When.MULTI_STAGE, How.RL_POLICY, Signal.QUERY, Signal.MODEL_METADATA, Signal.RESPONSE),
        "the policy is a linear softmax over hand-built action features trained by REINFORCE with"
            + " a leave-one-out baseline, not an LLM trained with PPO; 'think' is a trace step, not generated"
            + " text; sub-queries are the query itself (no text generation in simulation); the query is seen"
            + " through one model-agnostic difficulty estimate (logistic regression on lexical cues, hashed"
            + " n-grams and the task, combined with card qualities Rasch-style), not an LLM reading the query;"
            + " the first call is the policy's most probable action, later ones are sampled");
  }

  @Override
  public synchronized void fit(RecordedDataset trainSplit, StrategyContext context) {
    this.train = trainSplit;
    this.cards = ModelCatalog.fromRecorded(trainSplit);
    this.signals = ResponseSignals.fit(trainSplit);
    this.difficulty = QueryDifficulty.fit(trainSplit, Seeds.mix(context.seed(), "router-r1/difficulty"));
    this.seed = context.seed();
    trained.clear();
  }

  @Override
  public double[] tradeoffs() {
    return TRADEOFFS.clone();
  }

  public int maxRounds() {
    return maxRounds;
  }

  @Override
  public Planner planner(double tradeoff) {
    SoftmaxPolicy policy = new SoftmaxPolicy(FEATURES, temperature);
    policy.load(parameters(tradeoff));
    long planSeed = seed;
    QueryDifficulty diff = difficulty;
    // The first call is the policy's most probable model: sampling it only mixes in worse first models (the
    // choice depends on the query's difficulty, and a held-out part of the training split preferred greedy).
    // Later rounds are sampled, as trained: the greedy action of a softmax over many route actions is not what
    // the trained stochastic policy does (the escalation mass is split across models, while "answer" is a
    // single action). Seeded by query id and round, so the planner stays a pure function of its state.
    return state -> decide(state, policy, state.round() == 0 ? null
        : Seeds.forQuery(planSeed, state.query().id() + "#" + state.round()),
        signals, diff, diff.estimate(state.query().text(), state.query().task())).action();
  }

  /** The trained parameters at one trade-off (trained on first use, then cached). */
  public synchronized double[] parameters(double tradeoff) {
    if (train == null) {
      throw new IllegalStateException("router-r1: fit() must run before planner()");
    }
    if (tradeoff < 0) {
      throw new IllegalArgumentException("router-r1 trade-off is a cost weight >= 0, got " + tradeoff);
    }
    return trained.computeIfAbsent(tradeoff, this::trainPolicy).clone();
  }

  /** An online learner starting from the trained policy at {@code tradeoff} (or cold, if {@code cold}). */
  public synchronized OnlineLearner learner(double tradeoff, boolean cold, double onlineRate) {
    double[] init = cold ? new double[FEATURES] : parameters(tradeoff);
    return new Learner("router-r1-online", cards, signals, difficulty, init, tradeoff, onlineRate, seed, maxRounds,
        temperature);
  }

  private double[] trainPolicy(double lambda) {
    SoftmaxPolicy policy = new SoftmaxPolicy(FEATURES, temperature);
    policy.load(initialParameters());
    Map<String, ModelCard> byId = new HashMap<>();
    cards.forEach(c -> byId.put(c.id(), c));
    Random rnd = new Random(Seeds.mix(seed, "router-r1/" + lambda));
    List<RecordedQuery> order = new ArrayList<>(train.queries());
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
        double[] grad = new double[FEATURES];
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
    double[] theta = new double[FEATURES];
    theta[9] = 2;
    theta[11] = 2;
    return theta;
  }

  private double rollout(RecordedQuery q, SoftmaxPolicy policy, Random rnd, double lambda,
      Map<String, ModelCard> byId, List<Step> path) {
    Query query = new Query(q.id(), List.of(ChatMessage.user(q.prompt())), q.task(), Budget.unlimited());
    PlanState state = PlanState.start(query, cards);
    double d = difficulty.outOfFold(q);
    while (true) {
      Choice c = decide(state, policy, rnd, signals, difficulty, d);
      path.add(new Step(c.features, c.index));
      if (c.action() instanceof PlanAction.Route r) {
        Response resp = Replay.response(q, r.modelId(), byId.get(r.modelId()), null);
        state = state.with(Attempt.answered(resp));
        continue;
      }
      if (c.action() instanceof PlanAction.Answer a) {
        return q.outcome(a.modelId()).score() - lambda * state.spentUsd() / signals.costScale();
      }
      return -lambda * state.spentUsd() / signals.costScale();
    }
  }

  private record Step(double[][] features, int chosen) {}

  /** A decision: the candidate actions' features, the chosen index and the action itself. */
  record Choice(double[][] features, int index, PlanAction action) {}

  private enum Kind { ROUTE, ANSWER, AGGREGATE }

  /**
   * Chooses greedily when {@code rnd} is null, else samples; {@code d} is the query's difficulty estimate
   * {@code d(x)} (cross-fitted in training, {@link QueryDifficulty#estimate} when served).
   */
  Choice decide(PlanState state, SoftmaxPolicy policy, Random rnd, ResponseSignals sig, QueryDifficulty diff,
      double d) {
    return decide(state, policy, rnd, sig, diff, d, maxRounds);
  }

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

  /**
   * Router-R1's policy learning online: samples its actions (seeded by query id and round), and after each
   * episode replays the episode's calls to recover its states and takes one REINFORCE step with a running
   * baseline, {@code theta += rate (R - b) sum_t grad log pi(a_t)}, {@code b += 0.05 (R - b)}.
   */
  static final class Learner extends OnlineLearnerBase {
    private final List<ModelCard> cards;
    private final ResponseSignals signals;
    private final QueryDifficulty difficulty;
    private final SoftmaxPolicy policy;
    private final double lambda;
    private final double rate;
    private final long seed;
    private final int maxRounds;
    private double baseline;

    Learner(String name, List<ModelCard> cards, ResponseSignals signals, QueryDifficulty difficulty, double[] init,
        double lambda, double rate, long seed, int maxRounds, double temperature) {
      super(name);
      if (!(rate > 0)) {
        throw new IllegalArgumentException("online learning rate must be > 0, got " + rate);
      }
      this.cards = List.copyOf(cards);
      this.signals = signals;
      this.difficulty = difficulty;
      this.maxRounds = maxRounds;
      this.policy = new SoftmaxPolicy(FEATURES, temperature);
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
          return decide(state, policy, rnd, signals, difficulty,
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
      double[] grad = new double[FEATURES];
      double r = episode.score() - lambda * episode.costUsd() / signals.costScale();
      double advantage = r - baseline;
      for (Response call : episode.calls()) {
        Choice c = decide(state, policy, null, signals, difficulty, d, maxRounds);
        int idx = indexOfRoute(state, call.modelId());
        if (idx < 0) {
          return false;
        }
        policy.accumulateGradient(c.features(), idx, advantage, grad);
        state = state.with(Attempt.answered(call));
      }
      boolean aggregated = episode.steps().stream().anyMatch(s -> s.stage() == Stage.AGGREGATE);
      Choice last = decide(state, policy, null, signals, difficulty, d, maxRounds);
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

    private static int finalIndex(Choice c, boolean aggregated) {
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
}
