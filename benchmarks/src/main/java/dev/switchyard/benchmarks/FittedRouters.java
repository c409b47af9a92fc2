package dev.switchyard.benchmarks;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.bandit.RewardModel;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A strategy fitted as the offline evaluator fits it, or an online learner trained as {@code switchyard train}
 * trains it, ready to decide on test-split queries. Offline strategies: {@code fit} on the train split with seed 1
 * and a fixed clock ({@code simulator/evaluation/Evaluation}), then the planner at the middle of the strategy's
 * trade-off grid. Online learners: built from {@link LearnerCatalog} with the train split's reward scales and the
 * engine's default cost weight, then one replayed pass over the train split in seeded order, learning each episode
 * ({@code simulator/evaluation/LearnerTraining}).
 */
public final class FittedRouters {
  public static final long SEED = 1;
  /** The engine's default trade-off for learners (switchyard.fleet.cost-weight, TrainCommand's default). */
  public static final double LEARNER_COST_WEIGHT = 0.5;

  /**
   * One representative per paradigm package of strategies/, by catalog name; "linear" and "bandit" are the
   * families the issue holds to 10 µs at p99.
   */
  public static final Map<String, String> FAMILY_OF = Map.ofEntries(
      Map.entry("hybrid-llm", "difficulty (linear: logistic regression on hashed n-grams)"),
      Map.entry("routellm-mf", "preference (matrix factorisation)"),
      Map.entry("uniroute", "clustering"),
      Map.entry("rl-escalation", "reinforcement learning"),
      Map.entry("cp-router", "uncertainty (conformal)"),
      Map.entry("agreement-cascade", "cascade (flagship)"),
      Map.entry("router-r1", "multi-round planner"),
      Map.entry("metallm", "bandit (UCB1)"),
      Map.entry("pilot", "bandit (linear: LinUCB)"));

  private FittedRouters() {}

  /** A fitted planner with the cards it routes between. */
  public record Fitted(String name, Planner planner, List<ModelCard> cards, RecordedDataset test) {
    /**
     * The first planner step of every test query, or of {@code variants} copies of each whose text differs by a
     * suffix, so that memoised query encodings ({@code ml/QueryEncoder}, 50,000 entries) miss as a new query's do.
     */
    public PlanState[] firstStates(int variants) {
      List<PlanState> states = new ArrayList<>();
      for (int v = 0; v < variants; v++) {
        for (RecordedQuery q : test.queries()) {
          String text = variants == 1 ? q.prompt() : q.prompt() + " [" + v + "]";
          Query query = new Query(q.id() + "#" + v, List.of(ChatMessage.user(text)), q.task(), Budget.unlimited());
          states.add(PlanState.start(query, cards));
        }
      }
      return states.toArray(PlanState[]::new);
    }
  }

  public static Fitted fit(String name, RecordedDataset data) {
    RecordedDataset train = data.split("train");
    RecordedDataset test = data.split("test");
    Strategy strategy = StrategyCatalog.all().containsKey(name) ? StrategyCatalog.all().get(name).get() : null;
    if (strategy != null) {
      strategy.fit(train, new StrategyContext(SEED, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), null));
      double[] grid = strategy.tradeoffs();
      return new Fitted(name, strategy.planner(grid[grid.length / 2]), ModelCatalog.fromRecorded(train), test);
    }
    LearnerCatalog.Entry entry = LearnerCatalog.all().get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no strategy or learner named " + name + "; strategies: "
          + StrategyCatalog.all().keySet() + ", learners: " + LearnerCatalog.all().keySet());
    }
    List<String> models = data.models();
    List<ModelCard> cards = models.stream().map(m -> ModelCatalog.card(train, m)).toList();
    RewardModel reward = LearnerCatalog.reward(LEARNER_COST_WEIGHT, cards, train, 0, 0);
    OnlineLearner learner = entry.build(Map.of(), new LearnerCatalog.Context(models, reward, train, SEED)).get();
    for (RecordedQuery q : train.shuffled(SEED)) {
      learner.learn(OfflineReplay.run(learner.planner(), q, cards, Budget.unlimited(), name, 0).episode());
    }
    return new Fitted(name, learner.planner(), cards, test);
  }
}
