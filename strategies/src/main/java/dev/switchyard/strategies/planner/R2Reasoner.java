package dev.switchyard.strategies.planner;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.bandit.Arms;
import dev.switchyard.strategies.bandit.Seeds;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.features.LexicalCues;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.rl.SoftmaxPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * R2-Reasoner (Shao et al., "Route-and-Reason: Scaling Large Language Model Reasoning with Reinforced Model
 * Router", arXiv 2506.05901): a decomposer splits a task into subtasks ({@link Decomposer}) and an allocator
 * assigns each subtask to a model; the allocator is trained with GRPO-style group-relative advantages.
 *
 * <p>Allocator: a linear softmax over models for each subtask, the model described by its card (prior task
 * quality {@code q}, expected cost {@code c}) and their interactions with the job length {@code L} and the
 * subtask's length cue, so a model added later is allocatable. Training on multi-step jobs built from the
 * training split: for each job, {@code G} allocations are sampled; each gets {@code R = 1[all steps succeed] -
 * lambda * job cost / costScale}; advantages are group-relative {@code A_g = R_g - mean R} (without GRPO's division by the group's
 * standard deviation, see Dr. GRPO, arXiv 2503.20783);
 * {@code theta += lr * mean_g A_g sum_steps grad log pi(model | step)}. Served greedily.
 */
public final class R2Reasoner implements Strategy {
  static final int FEATURES = 7;
  // Job cost sums several steps, each up to one cost scale, so useful weights are smaller than a router's.
  private static final double[] TRADEOFFS = {0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5};
  private final int trainJobs;
  private final int epochs;
  private final int group;
  private final double learningRate;
  private final LexicalCues cues = new LexicalCues();
  private List<ModelCard> cards = List.of();
  private ResponseSignals signals;
  private List<MultiStepJob> jobs = List.of();
  private long seed;
  private final Map<Double, double[]> trained = new TreeMap<>();

  public R2Reasoner(int trainJobs, int epochs, int group, double learningRate) {
    if (trainJobs < 1 || epochs < 1 || group < 2 || !(learningRate > 0)) {
      throw new IllegalArgumentException("R2 needs trainJobs >= 1, epochs >= 1, group >= 2, lr > 0; got "
          + trainJobs + ", " + epochs + ", " + group + ", " + learningRate);
    }
    this.trainJobs = trainJobs;
    this.epochs = epochs;
    this.group = group;
    this.learningRate = learningRate;
  }

  /** 600 training jobs of 2-5 steps, 6 epochs, groups of 8, learning rate 0.3. */
  public R2Reasoner() {
    this(600, 6, 8, 0.3);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("r2-reasoner", "Shao et al., Route-and-Reason (R2-Reasoner), arXiv 2506.05901",
        Dimensions.of(When.MULTI_STAGE, How.RL_POLICY, Signal.QUERY, Signal.MODEL_METADATA),
        "subtasks are recorded queries (no LLM decomposer in simulation); the allocator is a linear softmax"
            + " over card features trained with GRPO-style group-relative advantages, not a fine-tuned LLM");
  }

  @Override
  public synchronized void fit(RecordedDataset train, StrategyContext context) {
    this.cards = ModelCatalog.fromRecorded(train);
    this.signals = ResponseSignals.fit(train);
    this.seed = context.seed();
    int maxSteps = Math.min(5, train.size());
    this.jobs = MultiStepJob.sample(train.queries(), trainJobs, Math.min(2, maxSteps), maxSteps,
        Seeds.mix(seed, "r2-jobs"), "train-job");
    trained.clear();
  }

  @Override
  public double[] tradeoffs() {
    return TRADEOFFS.clone();
  }

  public List<ModelCard> cards() {
    return cards;
  }

  double[] features(ModelCard card, String text, String task, int jobLength) {
    double q = ResponseSignals.quality(card, task);
    double c = signals.cost(card);
    double len = cues.features(text)[1];
    double l = jobLength / 5.0;
    return new double[] {q, c, q * l, c * l, q * len, logit(q), logit(q) * l};
  }

  private static double logit(double q) {
    double p = Math.min(0.999, Math.max(0.001, q));
    return Math.log(p / (1 - p)) / 5.0;
  }

  private double[][] candidates(List<ModelCard> models, String text, String task, int jobLength) {
    double[][] f = new double[models.size()][];
    for (int i = 0; i < f.length; i++) {
      f[i] = features(models.get(i), text, task, jobLength);
    }
    return f;
  }

  public synchronized double[] parameters(double lambda) {
    if (signals == null) {
      throw new IllegalStateException("r2-reasoner: fit() must run before use");
    }
    if (lambda < 0) {
      throw new IllegalArgumentException("r2-reasoner trade-off is a cost weight >= 0, got " + lambda);
    }
    return trained.computeIfAbsent(lambda, this::train).clone();
  }

  private double[] train(double lambda) {
    SoftmaxPolicy policy = new SoftmaxPolicy(FEATURES, 0.25);
    Random rnd = new Random(Seeds.mix(seed, "r2/" + lambda));
    List<MultiStepJob> order = new ArrayList<>(jobs);
    for (int epoch = 0; epoch < epochs; epoch++) {
      Collections.shuffle(order, rnd);
      for (MultiStepJob job : order) {
        int n = job.steps().size();
        double[][][] feats = new double[n][][];
        for (int s = 0; s < n; s++) {
          RecordedQuery q = job.steps().get(s);
          feats[s] = candidates(cards, q.prompt(), q.task(), n);
        }
        int[][] picks = new int[group][n];
        double[] rewards = new double[group];
        for (int g = 0; g < group; g++) {
          boolean success = true;
          double cost = 0;
          for (int s = 0; s < n; s++) {
            int pick = policy.sample(feats[s], rnd);
            picks[g][s] = pick;
            var o = job.steps().get(s).outcome(cards.get(pick).id());
            success &= o.score() >= MultiStepJob.STEP_SUCCESS;
            cost += o.costUsd();
          }
          rewards[g] = (success ? 1 : 0) - lambda * cost / signals.costScale();
        }
        double mean = 0;
        for (double r : rewards) {
          mean += r;
        }
        mean /= group;
        double[] grad = new double[FEATURES];
        for (int g = 0; g < group; g++) {
          // Group-relative but not divided by the group's standard deviation (as in Dr. GRPO, Liu et al.,
          // arXiv 2503.20783): when no allocation of a group succeeds, dividing would turn tiny cost
          // differences into full-size updates and drive the allocator to the cheapest model.
          double advantage = rewards[g] - mean;
          for (int s = 0; s < n; s++) {
            policy.accumulateGradient(feats[s], picks[g][s], advantage / group, grad);
          }
        }
        policy.step(grad, learningRate, RouterR1Trainer.MAX_STEP);
      }
    }
    return policy.parameters();
  }

  /** The model for each subtask of a job, chosen greedily by the trained allocator among {@code models}. */
  public List<String> allocate(List<RecordedQuery> subtasks, List<ModelCard> models, double lambda) {
    SoftmaxPolicy policy = new SoftmaxPolicy(FEATURES, 0.25);
    policy.load(parameters(lambda));
    List<String> out = new ArrayList<>();
    for (RecordedQuery q : subtasks) {
      out.add(models.get(policy.greedy(candidates(models, q.prompt(), q.task(), subtasks.size()))).id());
    }
    return out;
  }

  /** The allocator for one step of a job of {@code jobLength} steps, as a planner over the state's models. */
  public Planner stepPlanner(double lambda, int jobLength) {
    if (jobLength < 1) {
      throw new IllegalArgumentException("job length must be >= 1, got " + jobLength);
    }
    SoftmaxPolicy policy = new SoftmaxPolicy(FEATURES, 0.25);
    policy.load(parameters(lambda));
    return ThreeStagePipeline.routeOnly(state -> {
      List<String> ids = Arms.available(state);
      List<ModelCard> models = ids.stream().map(m -> state.card(m).orElseThrow()).toList();
      double[][] f = candidates(models, state.query().text(), state.query().task(), jobLength);
      RouteDecision d = Arms.rank(ids, m -> policy.score(f[ids.indexOf(m)]), "r2 allocator");
      return d;
    });
  }

  /** A single query is a one-step job. */
  @Override
  public Planner planner(double tradeoff) {
    return stepPlanner(tradeoff, 1);
  }
}
