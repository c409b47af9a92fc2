package dev.switchyard.strategies;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.bandit.DuelingFgtsRouter;
import dev.switchyard.strategies.bandit.EscalationThresholdBandit;
import dev.switchyard.strategies.bandit.GreenServRouter;
import dev.switchyard.strategies.bandit.MixLlmRouter;
import dev.switchyard.strategies.bandit.PilotRouter;
import dev.switchyard.strategies.bandit.RewardModel;
import dev.switchyard.strategies.bandit.ThompsonRouter;
import dev.switchyard.strategies.bandit.TiUcbBandit;
import dev.switchyard.strategies.bandit.Ucb1Bandit;
import dev.switchyard.strategies.cascade.ConfidenceCascade;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.planner.RouterR1;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Every online learner of the library by name, with its hyperparameters and their defaults, so that a pipeline
 * configuration can name one ({@code strategy = thompson}, {@code params { sigma = 0.3 }}) and have every
 * parameter checked by name. Each learns from every finished query with the reward
 * {@code score - cost-weight * cost / cost-scale} (GreenServ also weighs energy); the offline strategies are in
 * {@link StrategyCatalog}.
 */
public final class LearnerCatalog {
  private LearnerCatalog() {}

  /**
   * What a learner is built from.
   *
   * @param models the model ids it routes between
   * @param reward the reward it learns
   * @param train recorded outcomes of these models under these ids, or null when the pipeline starts cold
   * @param seed seeds every random choice
   */
  public record Context(List<String> models, RewardModel reward, RecordedDataset train, long seed) {
    public Context {
      models = List.copyOf(models);
    }
  }

  /** Builds the supplier of fresh learner instances (learner singleton, each node's copy); may fit once, here. */
  @FunctionalInterface
  public interface Builder {
    Supplier<OnlineLearner> build(Params params, Context context);
  }

  /**
   * One learner: its hyperparameters with their defaults, whether it needs recorded outcomes to start from, and
   * how it is built.
   */
  public record Entry(String name, Map<String, Object> defaults, boolean needsTrain, Builder builder) {
    public Entry {
      defaults = Map.copyOf(defaults);
    }

    /** Builds with {@code given} over the defaults; a name that is no parameter of this learner is refused. */
    public Supplier<OnlineLearner> build(Map<String, Object> given, Context context) {
      Set<String> unknown = new java.util.TreeSet<>(given.keySet());
      unknown.removeAll(defaults.keySet());
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("learner " + name + " has no parameter " + String.join(", ", unknown)
            + "; its parameters: " + (defaults.isEmpty() ? "none" : String.join(", ", new TreeMap<>(defaults).keySet())));
      }
      if (needsTrain && context.train() == null) {
        throw new IllegalArgumentException("learner " + name + " starts from recorded outcomes: give train-data");
      }
      Map<String, Object> all = new LinkedHashMap<>(defaults);
      all.putAll(given);
      return builder.build(new Params(name, all), context);
    }
  }

  /** Typed access to a learner's parameters; a value of the wrong type or range names the parameter. */
  public record Params(String learner, Map<String, Object> values) {
    public double number(String key) {
      Object v = values.get(key);
      if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw new IllegalArgumentException(learner + " parameter " + key + " must be a finite number, got " + v);
      }
      return n.doubleValue();
    }

    public double nonNegative(String key) {
      double v = number(key);
      if (v < 0) {
        throw new IllegalArgumentException(learner + " parameter " + key + " must be >= 0, got " + v);
      }
      return v;
    }

    public int positiveInt(String key) {
      double v = number(key);
      if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(learner + " parameter " + key + " must be a whole number >= 1, got "
            + values.get(key));
      }
      return (int) v;
    }

    public boolean flag(String key) {
      Object v = values.get(key);
      if (!(v instanceof Boolean b)) {
        throw new IllegalArgumentException(learner + " parameter " + key + " must be true or false, got " + v);
      }
      return b;
    }
  }

  private static final Map<String, Entry> ENTRIES = new TreeMap<>();

  private static void add(String name, Map<String, Object> defaults, boolean needsTrain, Builder builder) {
    // one name, one strategy: a configuration names either catalog's members alike
    if (StrategyCatalog.all().containsKey(name)) {
      throw new IllegalStateException("learner " + name + " has the name of an offline strategy");
    }
    ENTRIES.put(name, new Entry(name, defaults, needsTrain, builder));
  }

  static {
    add("ucb1", Map.of("exploration", 0.2), false, (p, c) -> {
      double exploration = p.nonNegative("exploration");
      return () -> new Ucb1Bandit("ucb1", c.models(), c.reward().costWeight(), c.reward().costScale(), exploration);
    });
    add("metallm", Map.of("exploration", 0.5), false, (p, c) -> {
      double exploration = p.nonNegative("exploration");
      return () -> Ucb1Bandit.metaLlm("metallm", c.reward(), exploration);
    });
    add("thompson", Map.of("sigma", 0.5, "prior-mean", 0.5), false, (p, c) -> {
      double sigma = p.nonNegative("sigma");
      double prior = p.number("prior-mean");
      return () -> new ThompsonRouter("thompson", c.reward(), sigma, prior, c.seed());
    });
    add("ti-ucb", Map.of("exploration", 0.5, "window", 100, "delta", 0.01), false, (p, c) -> {
      double exploration = p.nonNegative("exploration");
      int window = p.positiveInt("window");
      double delta = p.nonNegative("delta");
      return () -> new TiUcbBandit("ti-ucb", c.reward(), exploration, window, delta);
    });
    add("mixllm", Map.of(), false, (p, c) -> () -> MixLlmRouter.standard(c.reward(), c.seed()));
    add("pilot", Map.of("ridge", 1.0, "alpha", 0.5, "budget-per-query-factor", 0.0), false, (p, c) -> {
      double ridge = p.nonNegative("ridge");
      double alpha = p.nonNegative("alpha");
      double factor = p.nonNegative("budget-per-query-factor");
      if (factor > 0 && c.train() == null) {
        throw new IllegalArgumentException("pilot parameter budget-per-query-factor is a multiple of the best"
            + " single model's mean cost on train-data: give train-data, or leave it 0 (no budget pacing)");
      }
      double perQuery = factor > 0 ? factor * c.train().meanCost(c.train().bestSingleModel()) : 0;
      return () -> {
        PilotRouter.Builder b = PilotRouter.builder(c.reward().costScale()).ridge(ridge).alpha(alpha);
        return (perQuery > 0 ? b.budgetPerQuery(perQuery) : b).build();
      };
    });
    add("greenserv", Map.of("energy-weight", 0.2), false, (p, c) -> {
      double energyWeight = p.nonNegative("energy-weight");
      RewardModel r = c.reward();
      RewardModel withEnergy = new RewardModel(r.costWeight(), r.costScale(), energyWeight, r.energyScale());
      return () -> GreenServRouter.standard(withEnergy);
    });
    add("dueling-fgts", Map.of(), false, (p, c) -> () -> DuelingFgtsRouter.standard(c.reward(), c.seed()));
    add("threshold-bandit", Map.of("exploration", 0.5), true, (p, c) -> {
      double exploration = p.nonNegative("exploration");
      ConfidenceCascade cascade = new ConfidenceCascade();
      cascade.fit(c.train(), StrategyContext.seeded(c.seed()));
      return () -> new EscalationThresholdBandit("threshold-bandit", cascade.chain(),
          EscalationThresholdBandit.defaultGrid(), cascade::calibratedConfidence, c.reward(), exploration);
    });
    add("router-r1-online", Map.of("cold", false, "online-rate", 0.05), true, (p, c) -> {
      boolean cold = p.flag("cold");
      double rate = p.nonNegative("online-rate");
      RouterR1 r1 = new RouterR1();
      r1.fit(c.train(), StrategyContext.seeded(c.seed()));
      // fitted once; every instance (learner singleton, each node's restored copy) starts from it
      return () -> r1.learner(c.reward().costWeight(), cold, rate);
    });
  }

  /**
   * The reward a learner routing between {@code cards} learns: {@code score - costWeight * cost / cost scale},
   * the cost scale being the dearest model's mean cost on {@code train}, or, starting cold ({@code train} null),
   * the dearest model's price for a reference call of {@code refInputTokens}/{@code refOutputTokens}; the energy
   * scale likewise (GreenServ's energy unit). What a pipeline's {@code train-data} and {@code switchyard train}
   * give a learner.
   */
  public static RewardModel reward(double costWeight, List<ModelCard> cards, RecordedDataset train,
      int refInputTokens, int refOutputTokens) {
    double scale = train != null
        ? cards.stream().mapToDouble(c -> train.meanCost(c.id())).max().orElse(0)
        : cards.stream().mapToDouble(c -> c.priceUsd(refInputTokens, refOutputTokens)).max().orElse(0);
    double energy = 0;
    for (ModelCard card : cards) {
      double tokens = train == null ? refInputTokens + refOutputTokens
          : train.queries().stream().mapToDouble(q -> q.outcome(card.id()).inTokens()
              + q.outcome(card.id()).outTokens()).average().orElse(0);
      energy = Math.max(energy, card.joulesPerToken() * tokens);
    }
    return new RewardModel(costWeight, scale > 0 ? scale : 1.0, 0, energy > 0 ? energy : 1.0);
  }

  /** Every learner by name, sorted. */
  public static Map<String, Entry> all() {
    return ENTRIES;
  }
}
