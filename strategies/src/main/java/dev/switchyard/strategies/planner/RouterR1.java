package dev.switchyard.strategies.planner;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.rl.SoftmaxPolicy;
import java.util.Map;
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
  private FittedRouterR1 fitted;
  /** Trained parameters per cost weight, trained on first use. */
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
    this.fitted = FittedRouterR1.fit(trainSplit, context.seed());
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
    return new RouterR1Planner(fitted, parameters(tradeoff), maxRounds, temperature);
  }

  /** The trained parameters at one trade-off (trained on first use, then cached). */
  public synchronized double[] parameters(double tradeoff) {
    if (fitted == null) {
      throw new IllegalStateException("router-r1: fit() must run before planner()");
    }
    if (tradeoff < 0) {
      throw new IllegalArgumentException("router-r1 trade-off is a cost weight >= 0, got " + tradeoff);
    }
    return trained.computeIfAbsent(tradeoff,
        lambda -> new RouterR1Trainer(fitted, maxRounds, epochs, group, learningRate, temperature).train(lambda))
        .clone();
  }

  /** An online learner starting from the trained policy at {@code tradeoff} (or cold, if {@code cold}). */
  public synchronized OnlineLearner learner(double tradeoff, boolean cold, double onlineRate) {
    double[] init = cold ? new double[RouterR1Planner.FEATURES] : parameters(tradeoff);
    return new RouterR1OnlineLearner("router-r1-online", fitted.cards(), fitted.signals(), fitted.difficulty(), init,
        tradeoff, onlineRate, fitted.seed(), maxRounds, temperature);
  }
}
