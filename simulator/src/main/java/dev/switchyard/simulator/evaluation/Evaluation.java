package dev.switchyard.simulator.evaluation;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Offline evaluation: each strategy is fitted on the {@code train} split only, then every planner of its
 * trade-off grid is replayed ({@link OfflineReplay}, the driver that runs the engine's planners over recorded
 * outcomes) on the evaluated split. Baselines are computed on the evaluated split from the recorded outcomes:
 * every single model, random mixing of the cheapest and the best single model (its expectation: a query goes
 * to the best model with probability p, so quality and cost are linear in p), and the oracle (per query the
 * highest-scoring model, ties to the cheapest).
 *
 * <p>Deterministic: strategies get {@code StrategyContext(seed, fixed clock)}, queries are replayed in file
 * order, and nothing reads the wall clock.
 */
public final class Evaluation {
  /** Budgets of the summary, in % of the best single model's mean cost on the evaluated split. */
  public static final int[] BUDGET_PERCENTS = {5, 10, 20, 50, 100};
  /** Score of an abstention. */
  public static final double ABSTAIN_SCORE = 0.0;
  private static final double TIE = 1e-9;
  private static final int RANDOM_STEPS = 20;

  private final RecordedDataset train;
  private final RecordedDataset evaluated;
  private final Yardstick yardstick;
  private final List<ModelCard> cards;
  private final long seed;
  private final Metrics.BudgetRule rule;

  public Evaluation(RecordedDataset data, String split, long seed) {
    this(data, split, seed, Metrics.BudgetRule.HULL);
  }

  public Evaluation(RecordedDataset data, String split, long seed, Metrics.BudgetRule rule) {
    this.rule = java.util.Objects.requireNonNull(rule, "rule");
    this.train = data.split("train");
    this.evaluated = data.split(split);
    this.yardstick = Yardstick.of(evaluated);
    this.cards = ModelCatalog.fromRecorded(train);
    this.seed = seed;
  }

  public Yardstick yardstick() {
    return yardstick;
  }

  public RecordedDataset evaluated() {
    return evaluated;
  }

  /** The named strategies (fitted and swept), then every single model, random mixing and the oracle. */
  public List<PolicyResult> runAll(Map<String, Supplier<Strategy>> strategies) {
    return runAll(strategies, (name, error) -> {
      throw error;
    });
  }

  /**
   * As {@link #runAll(Map)}, but a strategy that throws (e.g. it cannot handle this file) is reported to
   * {@code onFailure} and left out, so one broken strategy does not hide the others.
   */
  public List<PolicyResult> runAll(Map<String, Supplier<Strategy>> strategies,
      java.util.function.BiConsumer<String, RuntimeException> onFailure) {
    List<PolicyResult> results = new ArrayList<>();
    strategies.forEach((name, supplier) -> {
      try {
        results.add(strategy(name, supplier.get()));
      } catch (RuntimeException e) {
        onFailure.accept(name, e);
      }
    });
    results.addAll(baselines());
    return results;
  }

  public PolicyResult strategy(String name, Strategy strategy) {
    strategy.fit(train, new StrategyContext(seed, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), null));
    List<FrontierPoint> points = new ArrayList<>();
    for (double t : strategy.tradeoffs()) {
      points.add(replay(name, t, strategy.planner(t)));
    }
    return summarise(name, PolicyResult.Kind.STRATEGY, strategy, strategy.getClass().getSimpleName(), points);
  }

  /** Replays one planner on every query of the evaluated split. */
  FrontierPoint replay(String name, double tradeoff, Planner planner) {
    double quality = 0;
    double cost = 0;
    double strong = 0;
    double hits = 0;
    double calls = 0;
    double latency = 0;
    for (RecordedQuery q : evaluated.queries()) {
      OfflineReplay.Outcome o = OfflineReplay.run(planner, q, cards, Budget.unlimited(), name, ABSTAIN_SCORE);
      quality += o.score();
      cost += o.costUsd();
      strong += o.calls().contains(yardstick.bestModel()) ? 1 : 0;
      hits += o.score() >= bestScore(q) - TIE ? 1 : 0;
      calls += o.calls().size();
      latency += o.latencyMs();
    }
    int n = evaluated.size();
    return new FrontierPoint(tradeoff, quality / n, cost / n, strong / n, hits / n, calls / n, latency / n);
  }

  public List<PolicyResult> baselines() {
    List<PolicyResult> out = new ArrayList<>();
    Map<String, FrontierPoint> singles = new LinkedHashMap<>();
    for (String m : evaluated.models()) {
      FrontierPoint p = single(m);
      singles.put(m, p);
      out.add(summarise("single:" + m, PolicyResult.Kind.SINGLE, null, "always " + m, List.of(p)));
    }
    FrontierPoint cheap = singles.get(yardstick.cheapModel());
    FrontierPoint best = singles.get(yardstick.bestModel());
    List<FrontierPoint> mix = new ArrayList<>();
    for (int i = 0; i <= RANDOM_STEPS; i++) {
      double p = i / (double) RANDOM_STEPS;
      mix.add(new FrontierPoint(p, lerp(cheap.quality(), best.quality(), p), lerp(cheap.costUsd(), best.costUsd(), p),
          p, lerp(cheap.routingAccuracy(), best.routingAccuracy(), p), 1, lerp(cheap.latencyMs(), best.latencyMs(), p)));
    }
    out.add(summarise("random", PolicyResult.Kind.RANDOM, null,
        "random mix of " + yardstick.cheapModel() + " and " + yardstick.bestModel(), mix));
    out.add(summarise("oracle", PolicyResult.Kind.ORACLE, null, "cheapest best-scoring model per query",
        List.of(oracle())));
    return out;
  }

  private static double lerp(double a, double b, double p) {
    return a + (b - a) * p;
  }

  FrontierPoint single(String model) {
    double quality = 0;
    double cost = 0;
    double hits = 0;
    double latency = 0;
    for (RecordedQuery q : evaluated.queries()) {
      RecordedOutcome o = q.outcome(model);
      quality += o.score();
      cost += o.costUsd();
      hits += o.score() >= bestScore(q) - TIE ? 1 : 0;
      latency += o.hasLatency() ? o.latencyMs() : 0;
    }
    int n = evaluated.size();
    return new FrontierPoint(Double.NaN, quality / n, cost / n, model.equals(yardstick.bestModel()) ? 1 : 0,
        hits / n, 1, latency / n);
  }

  FrontierPoint oracle() {
    double quality = 0;
    double cost = 0;
    double strong = 0;
    double latency = 0;
    for (RecordedQuery q : evaluated.queries()) {
      String choice = null;
      for (String m : evaluated.models()) {
        RecordedOutcome o = q.outcome(m);
        if (choice == null) {
          choice = m;
          continue;
        }
        RecordedOutcome c = q.outcome(choice);
        if (o.score() > c.score() + TIE || (Math.abs(o.score() - c.score()) <= TIE && o.costUsd() < c.costUsd())) {
          choice = m;
        }
      }
      RecordedOutcome o = q.outcome(choice);
      quality += o.score();
      cost += o.costUsd();
      strong += choice.equals(yardstick.bestModel()) ? 1 : 0;
      latency += o.hasLatency() ? o.latencyMs() : 0;
    }
    int n = evaluated.size();
    return new FrontierPoint(Double.NaN, quality / n, cost / n, strong / n, 1, 1, latency / n);
  }

  private double bestScore(RecordedQuery q) {
    double best = Double.NEGATIVE_INFINITY;
    for (String m : evaluated.models()) {
      best = Math.max(best, q.outcome(m).score());
    }
    return best;
  }

  PolicyResult summarise(String name, PolicyResult.Kind kind, Strategy strategy, String implementation,
      List<FrontierPoint> points) {
    return new PolicyResult(name, kind, strategy == null ? null : strategy.info(), implementation, points,
        Metrics.paretoFront(points), summary(points, yardstick, rule));
  }

  static PolicyResult.Summary summary(List<FrontierPoint> points, Yardstick y, Metrics.BudgetRule rule) {
    double[] q = new double[BUDGET_PERCENTS.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = nan(Metrics.qualityAt(points, y.bestCost() * BUDGET_PERCENTS[i] / 100.0, rule));
    }
    double match = nan(Metrics.costToMatch(points, y.bestQuality(), rule));
    double matchPct = y.bestCost() > 0 ? 100.0 * match / y.bestCost() : Double.NaN;
    double auc = Metrics.normalisedAuc(points, y.cheapCost(), y.cheapQuality(), y.bestCost(), y.bestQuality(),
        rule);
    double apgr = Metrics.apgr(points, y.cheapQuality(), y.bestQuality());
    double cpt50 = nan(Metrics.callsToReach(points, 0.5, y.cheapQuality(), y.bestQuality()));
    double accuracy = Metrics.paretoFront(points).stream()
        .filter(p -> p.costUsd() <= y.bestCost() * (1 + 1e-9))
        .reduce((a, b) -> b).map(FrontierPoint::routingAccuracy).orElse(Double.NaN);
    return new PolicyResult.Summary(q, matchPct, auc, apgr, cpt50, accuracy);
  }

  private static double nan(OptionalDouble v) {
    return v.isPresent() ? v.getAsDouble() : Double.NaN;
  }
}
