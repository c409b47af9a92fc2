package dev.switchyard.simulator;

import com.typesafe.config.Config;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.bandit.RewardModel;
import dev.switchyard.strategies.cascade.AgreementCascade;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.difficulty.ScopeRouter;
import dev.switchyard.strategies.learn.OnlineLearner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The pipelines a simulated fleet serves, each fitted on the train split only. To add one, add an entry to
 * {@link #FACTORIES}: a name and a function from the {@link Context} to its {@link PipelineDefinition}.
 */
public final class Pipelines {
  public static final String CASCADE = "switchyard/cascade";
  public static final String BANDIT = "switchyard/bandit";
  public static final String FLAGSHIP = "switchyard/flagship";
  public static final String SCOPE = "switchyard/scope";
  public static final String METALLM = "switchyard/metallm";
  public static final String THOMPSON = "switchyard/thompson";
  public static final String TI_UCB = "switchyard/ti-ucb";
  public static final String MIXLLM = "switchyard/mixllm";
  public static final String PILOT = "switchyard/pilot";
  public static final String GREENSERV = "switchyard/greenserv";
  public static final String DUELING_FGTS = "switchyard/dueling-fgts";
  public static final String THRESHOLD_BANDIT = "switchyard/threshold-bandit";
  public static final String ROUTER_R1 = "switchyard/router-r1";

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
    FACTORIES.put(FLAGSHIP, Pipelines::flagship);
    FACTORIES.put(SCOPE, Pipelines::scope);
    FACTORIES.put(METALLM, c -> learned(c, METALLM, "metallm", "metallm"));
    FACTORIES.put(THOMPSON, c -> learned(c, THOMPSON, "thompson", "thompson"));
    FACTORIES.put(TI_UCB, c -> learned(c, TI_UCB, "ti-ucb", "ti-ucb"));
    FACTORIES.put(MIXLLM, c -> learned(c, MIXLLM, "mixllm", "mixllm"));
    FACTORIES.put(PILOT, c -> learned(c, PILOT, "pilot", "pilot"));
    FACTORIES.put(GREENSERV, c -> learned(c, GREENSERV, "greenserv", "greenserv"));
    FACTORIES.put(DUELING_FGTS, c -> learned(c, DUELING_FGTS, "dueling-fgts", "dueling-fgts"));
    FACTORIES.put(THRESHOLD_BANDIT, c -> learned(c, THRESHOLD_BANDIT, "threshold-bandit", "threshold-bandit"));
    FACTORIES.put(ROUTER_R1, c -> learned(c, ROUTER_R1, "router-r1-online", "router-r1"));
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

  /**
   * The threshold cascade on the recorded confidence: per task, the chain and the threshold on the last answer's
   * calibrated confidence that are best on train at the configured cost weight (the agreement cascade's
   * machinery without the agreement signal, {@link AgreementCascade#tunedConfidenceCascade()}).
   */
  public static PipelineDefinition cascade(Context context) {
    return fittedAtCostWeight(context, CASCADE, "cascade", AgreementCascade.tunedConfidenceCascade(),
        "confidence cascade, per-task chain and calibrated-confidence threshold tuned on train");
  }

  /**
   * A learned pipeline of the {@link LearnerCatalog}, with its hyperparameters and cost weight from
   * {@code switchyard.simulator.pipelines.<key>}: reward
   * {@code score - cost-weight * cost / (mean cost of the dearest model)} (GreenServ also weighs energy).
   */
  static PipelineDefinition learned(Context context, String name, String learnerName, String key) {
    Config c = context.pipelines().getConfig(key);
    double costWeight = nonNegative(c, key, "cost-weight");
    Map<String, Object> params = new LinkedHashMap<>(c.root().unwrapped());
    params.remove("cost-weight");
    RewardModel reward = LearnerCatalog.reward(costWeight, context.cards(), context.train(), 0, 0);
    List<String> models = context.cards().stream().map(ModelCard::id).toList();
    Supplier<OnlineLearner> supplier;
    try {
      supplier = LearnerCatalog.all().get(learnerName).build(params,
          new LearnerCatalog.Context(models, reward, context.train(), context.seed()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("switchyard.simulator.pipelines." + key + ": " + e.getMessage(), e);
    }
    OnlineLearner probe = supplier.get();
    return PipelineDefinition.learned(name, String.format(Locale.ROOT, "%s (%s), online, reward = score - %.2f * "
        + "cost / %.3g USD", probe.info().name(), probe.info().citation(), costWeight, reward.costScale()), supplier);
  }

  /** The ensemble's agreement cascade (the evaluation's flagship), fitted on train, at the configured cost weight. */
  public static PipelineDefinition flagship(Context context) {
    AgreementCascade flagship = AgreementCascade.flagship();
    return fittedAtCostWeight(context, FLAGSHIP, "flagship", flagship, flagship.info().citation());
  }

  /** SCOPE: per-model correctness and cost estimates, route to the best utility, fitted on train. */
  public static PipelineDefinition scope(Context context) {
    ScopeRouter scope = new ScopeRouter(context.pipelines().getConfig("scope").getDouble("l2"));
    return fittedAtCostWeight(context, SCOPE, "scope", scope, scope.info().citation());
  }

  /** An offline strategy fitted on train, served at {@code switchyard.simulator.pipelines.<key>.cost-weight}. */
  private static PipelineDefinition fittedAtCostWeight(Context context, String name, String key, Strategy strategy,
      String what) {
    double costWeight = nonNegative(context.pipelines().getConfig(key), key, "cost-weight");
    strategy.fit(context.train(), StrategyContext.seeded(context.seed()));
    return PipelineDefinition.fixed(name, String.format(Locale.ROOT, "%s (%s), fitted on train, cost weight %.2f",
        strategy.info().name(), what, costWeight), strategy.info(), strategy.planner(costWeight));
  }

  private static double nonNegative(Config c, String key, String path) {
    double v = c.getDouble(path);
    if (!(v >= 0)) {
      throw new IllegalArgumentException("switchyard.simulator.pipelines." + key + "." + path + " must be >= 0, got " + v);
    }
    return v;
  }

  /** UCB1 over every model, learning online from each finished query. */
  public static PipelineDefinition bandit(Context context) {
    return learned(context, BANDIT, "ucb1", "bandit");
  }
}
