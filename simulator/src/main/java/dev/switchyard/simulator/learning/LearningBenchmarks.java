package dev.switchyard.simulator.learning;

import com.typesafe.config.Config;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.simulator.learning.LearningResults.Point;
import dev.switchyard.simulator.workload.AgenticJobs;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.bandit.DuelingFgtsRouter;
import dev.switchyard.strategies.bandit.EscalationThresholdBandit;
import dev.switchyard.strategies.bandit.GreenServRouter;
import dev.switchyard.strategies.bandit.MixLlmRouter;
import dev.switchyard.strategies.bandit.PilotRouter;
import dev.switchyard.strategies.bandit.RewardModel;
import dev.switchyard.strategies.bandit.Seeds;
import dev.switchyard.strategies.bandit.ThompsonRouter;
import dev.switchyard.strategies.bandit.TiUcbBandit;
import dev.switchyard.strategies.bandit.Ucb1Bandit;
import dev.switchyard.strategies.cascade.ConfidenceCascade;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.difficulty.ScopeRouter;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.planner.MultiStepJob;
import dev.switchyard.strategies.planner.R2Reasoner;
import dev.switchyard.strategies.planner.RouterR1;
import dev.switchyard.strategies.replay.OfflineReplay;
import dev.switchyard.strategies.rl.RlEscalationPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The three learning benchmarks on recorded outcomes: online learning (stationary, drift, a model joining),
 * multi-round planning against single-stage strategies, and multi-step job allocation. Each returns its
 * {@link LearningResults}; {@link LearningReport} renders them. Every draw is seeded, so a run replays.
 */
final class LearningBenchmarks {
  private final RecordedDataset train;
  private final RecordedDataset test;
  private final long seed;
  private final Config config;
  private final List<ModelCard> cards;
  private final double costScale;
  private final double energyScale;
  private final RewardModel reward;

  LearningBenchmarks(RecordedDataset all, long seed, Config config) {
    this.train = all.split("train");
    this.test = all.split("test");
    this.seed = seed;
    this.config = config;
    this.cards = ModelCatalog.fromRecorded(train);
    this.costScale = train.models().stream().mapToDouble(train::meanCost).max().orElse(1.0);
    double maxEnergy = 0;
    for (ModelCard c : cards) {
      double tokens = train.queries().stream()
          .mapToDouble(q -> q.outcome(c.id()).inTokens() + q.outcome(c.id()).outTokens()).average().orElse(0);
      maxEnergy = Math.max(maxEnergy, c.joulesPerToken() * tokens);
    }
    this.energyScale = maxEnergy > 0 ? maxEnergy : 1.0;
    this.reward = RewardModel.costOnly(config.getDouble("cost-weight"), costScale);
  }

  // ---------------------------------------------------------------- online

  private Map<String, Supplier<OnlineLearner>> learners() {
    Map<String, Supplier<OnlineLearner>> m = new LinkedHashMap<>();
    double lambda = reward.costWeight();
    m.put("metallm-ucb", () -> Ucb1Bandit.metaLlm("metallm", reward, 0.5));
    m.put("thompson", () -> new ThompsonRouter("thompson", reward, 0.5, 0.5, seed));
    m.put("ti-ucb", () -> new TiUcbBandit("ti-ucb", reward, 0.5, 100, 0.01));
    m.put("mixllm", () -> MixLlmRouter.standard(reward, seed));
    m.put("pilot", () -> PilotRouter.builder(costScale).build());
    m.put("pilot+prior+budget", () -> PilotRouter.builder(costScale).budgetPerQuery(train.meanCost(
        bestFixed(train.queries()))).build().warmStart(train, 0.2));
    m.put("greenserv", () -> GreenServRouter.standard(new RewardModel(lambda, costScale,
        config.getDouble("energy-weight"), energyScale)));
    m.put("dueling-fgts", () -> DuelingFgtsRouter.standard(reward, seed));
    m.put("threshold-bandit", () -> {
      ConfidenceCascade cascade = new ConfidenceCascade();
      cascade.fit(train, StrategyContext.seeded(seed));
      return new EscalationThresholdBandit("threshold-bandit", cascade.chain(),
          EscalationThresholdBandit.defaultGrid(), cascade::calibratedConfidence, reward, 0.5);
    });
    m.put("router-r1-online (cold)", () -> {
      RouterR1 r1 = new RouterR1();
      r1.fit(train, StrategyContext.seeded(seed));
      return r1.learner(lambda, true, 0.05);
    });
    return m;
  }

  /** The model with the highest total reward on these queries (for regret). */
  private String bestFixed(List<RecordedQuery> queries) {
    String best = null;
    double bestSum = Double.NEGATIVE_INFINITY;
    for (String m : train.models()) {
      double s = 0;
      for (RecordedQuery q : queries) {
        RecordedOutcome o = q.outcome(m);
        s += reward.of(o.score(), o.costUsd(), 0);
      }
      if (s > bestSum) {
        best = m;
        bestSum = s;
      }
    }
    return best;
  }

  private double fixedReward(List<RecordedQuery> queries, String m) {
    double s = 0;
    for (RecordedQuery q : queries) {
      RecordedOutcome o = q.outcome(m);
      s += reward.of(o.score(), o.costUsd(), 0);
    }
    return s;
  }

  /** One learner over one stream; cardsAt(t) are the models deployed at step t. */
  private record Run(double[] rewards, double[] scores, double[] costs, List<List<String>> calls) {}

  private Run stream(OnlineLearner learner, List<RecordedQuery> stream, java.util.function.IntFunction<List<ModelCard>>
      cardsAt) {
    int n = stream.size();
    Run run = new Run(new double[n], new double[n], new double[n], new ArrayList<>());
    for (int t = 0; t < n; t++) {
      RecordedQuery q = stream.get(t);
      OfflineReplay.Outcome o = OfflineReplay.run(learner.planner(), q, cardsAt.apply(t), Budget.unlimited(),
          learner.info().name(), 0);
      learner.learn(o.episode());
      run.rewards[t] = reward.of(o.score(), o.costUsd(), 0);
      run.scores[t] = o.score();
      run.costs[t] = o.costUsd();
      run.calls.add(o.calls());
    }
    return run;
  }

  LearningResults.Online online() {
    List<RecordedQuery> stream = test.shuffled(seed);
    int n = stream.size();
    int changeAt = (int) Math.round(config.getDouble("change-at") * n);
    int window = config.getInt("adaptation-window");
    String best = bestFixed(stream);
    double bestSum = fixedReward(stream, best);
    Map<String, Supplier<OnlineLearner>> learners = learners();
    List<LearningResults.LearnerRun> runs = new ArrayList<>();
    for (var entry : learners.entrySet()) {
      Run r = stream(entry.getValue().get(), stream, t -> cards);
      double total = sum(r.rewards, 0, n);
      int tail = n - n / 4;
      double calls = r.calls.stream().mapToInt(List::size).sum() / (double) n;
      runs.add(new LearningResults.LearnerRun(entry.getKey(), total, bestSum - total, (bestSum - total) / n,
          sum(r.scores, tail, n) / (n - tail), sum(r.costs, tail, n) / (n - tail), calls));
    }

    // Drift: the best fixed model degrades after changeAt.
    double p = config.getDouble("flip-probability");
    List<RecordedQuery> drifted = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      drifted.add(t < changeAt ? stream.get(t) : flip(stream.get(t), best, p));
    }
    String bestAfter = bestFixed(drifted.subList(changeAt, n));
    double bestPost = fixedReward(drifted.subList(changeAt, n), bestAfter) / (n - changeAt);
    List<LearningResults.DriftRun> drift = new ArrayList<>();
    for (var entry : learners.entrySet()) {
      Run r = stream(entry.getValue().get(), drifted, t -> cards);
      double before = share(r.calls, changeAt - window, changeAt, best);
      String adapt;
      if (before < 0.1) {
        adapt = "n/a";
      } else {
        adapt = "never";
        for (int t = changeAt + window; t <= n; t++) {
          if (share(r.calls, t - window, t, best) <= 0.1) {
            adapt = String.valueOf(t - changeAt);
            break;
          }
        }
      }
      drift.add(new LearningResults.DriftRun(entry.getKey(), before, adapt,
          sum(r.rewards, changeAt, n) / (n - changeAt)));
    }

    // A new model joins: the best fixed model is absent before changeAt.
    List<ModelCard> without = cards.stream().filter(c -> !c.id().equals(best)).toList();
    List<LearningResults.JoinRun> join = new ArrayList<>();
    for (var entry : learners.entrySet()) {
      Run r = stream(entry.getValue().get(), stream, t -> t < changeAt ? without : cards);
      String adapt = "never";
      for (int t = changeAt + window; t <= n; t++) {
        if (share(r.calls, t - window, t, best) >= 0.5) {
          adapt = String.valueOf(t - changeAt);
          break;
        }
      }
      join.add(new LearningResults.JoinRun(entry.getKey(), adapt, share(r.calls, n - n / 4, n, best),
          sum(r.rewards, changeAt, n) / (n - changeAt)));
    }
    return new LearningResults.Online(reward.costWeight(), costScale, n, best, bestSum, runs, p, changeAt, window,
        bestAfter, bestPost, drift, join);
  }

  /** Share of decisions in [from, to) that called m (for single-call learners: that answered with m). */
  private static double share(List<List<String>> calls, int from, int to, String m) {
    int lo = Math.max(0, from);
    if (to <= lo) {
      return 0;
    }
    long hits = calls.subList(lo, to).stream().filter(c -> c.contains(m)).count();
    return hits / (double) (to - lo);
  }

  private RecordedQuery flip(RecordedQuery q, String model, double p) {
    Random rnd = new Random(Seeds.mix(seed, "flip/" + q.id()));
    if (rnd.nextDouble() >= p) {
      return q;
    }
    Map<String, RecordedOutcome> o = new LinkedHashMap<>(q.outcomes());
    RecordedOutcome r = o.get(model);
    o.put(model, new RecordedOutcome(0, r.costUsd(), r.inTokens(), r.outTokens(), r.latencyMs(), r.confidence(),
        r.answer()));
    return new RecordedQuery(q.id(), q.task(), q.split(), q.prompt(), o);
  }

  private static double sum(double[] v, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += v[i];
    }
    return s;
  }

  // ---------------------------------------------------------------- multi-round

  private List<Point> frontier(Strategy s) {
    List<Point> pts = new ArrayList<>();
    for (double t : s.tradeoffs()) {
      pts.add(evaluate(s.planner(t), t));
    }
    return pts;
  }

  private Point evaluate(Planner planner, double t) {
    double q = 0;
    double c = 0;
    double calls = 0;
    for (RecordedQuery rq : test.queries()) {
      OfflineReplay.Outcome o = OfflineReplay.run(planner, rq, cards, Budget.unlimited(), "bench", 0);
      q += o.score();
      c += o.costUsd();
      calls += o.calls().size();
    }
    int n = test.size();
    return new Point(t, q / n, c / n, calls / n);
  }

  /** Best quality among points costing at most the budget, NaN if none. */
  private static double qualityAt(List<Point> pts, double budget) {
    return pts.stream().filter(p -> p.cost() <= budget).mapToDouble(Point::quality).max().orElse(Double.NaN);
  }

  LearningResults.MultiRound multiRound() {
    StrategyContext ctx = StrategyContext.seeded(seed);
    Map<String, List<Point>> frontiers = new LinkedHashMap<>();
    RouterR1 r1 = new RouterR1();
    r1.fit(train, ctx);
    frontiers.put("router-r1", frontier(r1));
    // The catalog holds SCOPE, Router-R1 and the RL escalation policy too (planner/PlannerFamily): fit each once.
    for (var e : StrategyCatalog.all().entrySet()) {
      if (frontiers.containsKey(e.getKey())) {
        continue;
      }
      Strategy s = e.getValue().get();
      s.fit(train, ctx);
      frontiers.put(e.getKey(), frontier(s));
    }
    if (!frontiers.containsKey("scope")) {
      ScopeRouter scope = new ScopeRouter();
      scope.fit(train, ctx);
      frontiers.put("scope", frontier(scope));
    }
    if (!frontiers.containsKey("rl-escalation")) {
      RlEscalationPolicy rl = new RlEscalationPolicy();
      rl.fit(train, ctx);
      frontiers.put("rl-escalation", frontier(rl));
    }
    String bestModel = train.bestSingleModel();
    double bestCost = test.meanCost(bestModel);
    List<Double> budgets = List.of(0.05, 0.1, 0.2, 0.5, 1.0);
    Map<String, List<Double>> qualityAtBudget = new LinkedHashMap<>();
    frontiers.forEach((name, points) -> qualityAtBudget.put(name,
        budgets.stream().map(b -> qualityAt(points, b * bestCost)).toList()));
    return new LearningResults.MultiRound(bestModel, test.meanScore(bestModel), bestCost, budgets, frontiers,
        qualityAtBudget);
  }

  // ---------------------------------------------------------------- multi-step

  LearningResults.MultiStep multiStep() {
    List<MultiStepJob> jobs = AgenticJobs.build(test, config.getInt("jobs"), config.getInt("job-min-steps"),
        config.getInt("job-max-steps"), seed);
    R2Reasoner r2 = new R2Reasoner();
    r2.fit(train, StrategyContext.seeded(seed));
    String cheapest = train.models().stream().min(Comparator.comparingDouble(train::meanCost)).orElseThrow();
    String strongest = train.bestSingleModel();
    List<LearningResults.Allocation> allocations = new ArrayList<>();
    for (String m : List.of(cheapest, strongest)) {
      double[] sc = runJobs(jobs, (job, step) -> m);
      allocations.add(new LearningResults.Allocation("fixed " + m, sc[0], sc[1]));
    }
    for (double lambda : r2.tradeoffs()) {
      Map<String, List<String>> alloc = new LinkedHashMap<>();
      for (MultiStepJob job : jobs) {
        alloc.put(job.id(), r2.allocate(job.steps(), cards, lambda));
      }
      double[] sc = runJobs(jobs, (job, step) -> alloc.get(job.id()).get(step));
      allocations.add(new LearningResults.Allocation("r2 lambda=" + lambda, sc[0], sc[1]));
    }
    return new LearningResults.MultiStep(jobs.size(), config.getInt("job-min-steps"), config.getInt("job-max-steps"),
        cheapest, strongest, allocations);
  }

  private double[] runJobs(List<MultiStepJob> jobs, java.util.function.BiFunction<MultiStepJob, Integer, String> pick) {
    int ok = 0;
    double cost = 0;
    for (MultiStepJob job : jobs) {
      boolean success = true;
      for (int s = 0; s < job.steps().size(); s++) {
        String model = pick.apply(job, s);
        Planner fixed = dev.switchyard.strategies.pipeline.ThreeStagePipeline.routeOnly(
            st -> dev.switchyard.strategies.pipeline.RouteDecision.single(model, Double.NaN, "allocated"));
        OfflineReplay.Outcome o = OfflineReplay.run(fixed, job.steps().get(s), cards, Budget.unlimited(), "jobs", 0);
        success &= o.score() >= MultiStepJob.STEP_SUCCESS;
        cost += o.costUsd();
      }
      ok += success ? 1 : 0;
    }
    return new double[] {ok / (double) jobs.size(), cost / jobs.size()};
  }
}
