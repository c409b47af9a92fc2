package dev.switchyard.simulator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.bandit.Ucb1Bandit;
import dev.switchyard.strategies.cascade.ConfidenceCascade;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pipelines a simulated fleet serves, each fitted on the train split only. To add one, add an entry to
 * {@link #FACTORIES}: a name and a function from the {@link Context} to its {@link PipelineDefinition}.
 */
public final class Pipelines {
  public static final String CASCADE = "switchyard/cascade";
  public static final String BANDIT = "switchyard/bandit";

  /** What a pipeline is built from. */
  public record Context(RecordedDataset train, List<ModelCard> cards, Config pipelines, long seed) {}

  /** Builds one pipeline. */
  @FunctionalInterface
  public interface Factory {
    PipelineDefinition build(Context context);
  }

  private static final Map<String, Factory> FACTORIES = new LinkedHashMap<>();

  static {
    FACTORIES.put(CASCADE, Pipelines::cascade);
    FACTORIES.put(BANDIT, Pipelines::bandit);
  }

  private Pipelines() {}

  public static List<String> names() {
    return List.copyOf(FACTORIES.keySet());
  }

  /** Every standard pipeline, in {@link #names()} order. */
  public static List<PipelineDefinition> standard(Context context) {
    List<PipelineDefinition> out = new ArrayList<>();
    FACTORIES.values().forEach(f -> out.add(f.build(context)));
    return out;
  }

  /** The confidence cascade at the configured (or train-chosen) threshold. */
  public static PipelineDefinition cascade(Context context) {
    ConfidenceCascade cascade = new ConfidenceCascade();
    cascade.fit(context.train(), StrategyContext.seeded(context.seed()));
    double threshold = cascadeThreshold(cascade, context);
    return PipelineDefinition.fixed(CASCADE, String.format(Locale.ROOT,
        "confidence cascade over %s at calibrated-confidence threshold %.3f", cascade.chain(), threshold),
        cascade.info(), cascade.planner(threshold));
  }

  static double cascadeThreshold(ConfidenceCascade cascade, Context context) {
    Config c = context.pipelines().getConfig("cascade");
    if (c.getValue("threshold").valueType() == ConfigValueType.NUMBER) {
      double t = c.getDouble("threshold");
      if (!(t >= 0 && t <= 1)) {
        throw new IllegalArgumentException("switchyard.pipelines.cascade.threshold must be in [0, 1] or auto, got "
            + t);
      }
      return t;
    }
    String s = c.getString("threshold");
    if (!s.equals("auto")) {
      throw new IllegalArgumentException("switchyard.pipelines.cascade.threshold must be a number in [0, 1] or "
          + "auto, got '" + s + "'");
    }
    return chooseThreshold(cascade, context.train(), context.cards(), c.getDouble("auto-cost-weight"));
  }

  /**
   * The threshold of the cascade's grid with the highest train utility
   * {@code quality - costWeight * cost / cost(best single model)}: a cost equal to the best single model's is
   * worth {@code costWeight} of quality. Looks at the train split only.
   */
  public static double chooseThreshold(ConfidenceCascade cascade, RecordedDataset train, List<ModelCard> cards,
      double costWeight) {
    double bestCost = train.meanCost(train.bestSingleModel());
    double scale = bestCost > 0 ? bestCost : 1.0;
    double bestUtility = Double.NEGATIVE_INFINITY;
    double chosen = 1;
    for (double t : cascade.tradeoffs()) {
      Planner planner = cascade.planner(t);
      double quality = 0;
      double cost = 0;
      for (RecordedQuery q : train.queries()) {
        OfflineReplay.Outcome o = OfflineReplay.run(planner, q, cards, Budget.unlimited(), CASCADE, 0);
        quality += o.score();
        cost += o.costUsd();
      }
      double utility = (quality - costWeight * cost / scale) / train.size();
      if (utility > bestUtility) {
        bestUtility = utility;
        chosen = t;
      }
    }
    return chosen;
  }

  /** UCB1 over every model, learning online from each finished query. */
  public static PipelineDefinition bandit(Context context) {
    Config c = context.pipelines().getConfig("bandit");
    double costWeight = c.getDouble("cost-weight");
    double exploration = c.getDouble("exploration");
    RecordedDataset train = context.train();
    List<String> arms = context.cards().stream().map(ModelCard::id).toList();
    double costScale = arms.stream().mapToDouble(train::meanCost).max().orElse(1.0);
    double scale = costScale > 0 ? costScale : 1.0;
    return PipelineDefinition.learned(BANDIT, String.format(Locale.ROOT,
        "UCB1 over %d models, reward = score - %.2f * cost / %.3g USD, exploration %.2f", arms.size(), costWeight,
        scale, exploration), () -> new Ucb1Bandit("ucb1", arms, costWeight, scale, exploration));
  }
}
