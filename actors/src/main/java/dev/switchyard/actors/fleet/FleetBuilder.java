package dev.switchyard.actors.fleet;

import com.typesafe.config.Config;
import dev.switchyard.actors.EngineSettings.PoolSettings;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.bandit.RewardModel;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.pipeline.FallbackChain;
import dev.switchyard.strategies.plan.RenamedPlanner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds what a node serves from a checked {@link FleetConfig}: a model card, workers and pool settings per
 * model, one pipeline per model id (a request naming the model goes straight to it, through its pool), and the
 * configured pipelines, each fitted at start on its {@code train-data} as the fleet sees it (models under their
 * fleet ids via {@code recorded-as}, every recorded call re-priced at the fleet's prices).
 *
 * <p>Rewards and utilities weigh cost against {@code cost scale}: the dearest model's mean cost on the
 * pipeline's train-data, or, for a pipeline that starts cold, the dearest model's price for
 * {@code switchyard.fleet.reference-call}.
 */
public final class FleetBuilder {
  private final Config settings;
  private final Map<String, BackendFactory> backends;
  private final PoolSettings poolDefaults;
  private final long seed;
  private final double testShare;

  /**
   * @param settings {@code switchyard.fleet}
   * @param poolDefaults {@code switchyard.pool}, which every model's own limits refine
   */
  public FleetBuilder(Config settings, Map<String, BackendFactory> backends, PoolSettings poolDefaults) {
    this.settings = settings;
    this.backends = Map.copyOf(backends);
    this.poolDefaults = poolDefaults;
    this.seed = settings.getLong("seed");
    this.testShare = settings.getDouble("generated-test-share");
    if (!(testShare > 0 && testShare < 1)) {
      throw new IllegalArgumentException("switchyard.fleet.generated-test-share must be between 0 and 1, got "
          + testShare);
    }
  }

  public EngineSetup build(FleetConfig fleet) {
    Map<String, ModelSpec> specs = new LinkedHashMap<>();
    fleet.models().forEach(m -> specs.put(m.id(), m));
    Map<String, RecordedDataset> trainOf = new LinkedHashMap<>();
    Map<String, ModelCard> recordedCards = new LinkedHashMap<>();
    for (PipelineSpec p : fleet.pipelines()) {
      if (p.trainData() != null) {
        RecordedDataset train = train(fleet, p, specs);
        trainOf.put(p.name(), train);
        for (String m : p.models()) {
          recordedCards.putIfAbsent(m, ModelCatalog.card(train, m));
        }
      }
    }
    List<ModelCard> cards = new ArrayList<>();
    Map<String, List<InferenceBackend>> workers = new LinkedHashMap<>();
    Map<String, PoolSettings> pools = new LinkedHashMap<>();
    List<PipelineDefinition> pipelines = new ArrayList<>();
    for (ModelSpec spec : fleet.models()) {
      ModelCard card = card(spec, recordedCards.get(spec.id()));
      cards.add(card);
      workers.put(spec.id(), backends.get(spec.backend()).create(spec, card));
      pools.put(spec.id(), poolDefaults.withLimits(spec.concurrency(), spec.maxQueue(), spec.timeout(),
          spec.firstTokenTimeout()));
      pipelines.add(PipelineDefinition.fixed(spec.id(), "model " + spec.id() + " directly ("
              + (spec.description().isEmpty() ? spec.backend() : spec.description()) + ")", FallbackChain.info(),
          new FallbackChain(List.of(spec.id()))).restrictedTo(List.of(spec.id())));
    }
    Map<String, ModelCard> cardById = new LinkedHashMap<>();
    cards.forEach(c -> cardById.put(c.id(), c));
    for (PipelineSpec p : fleet.pipelines()) {
      Map<String, String> recordedIds = new LinkedHashMap<>();
      p.models().forEach(m -> recordedIds.put(m, FleetConfig.recordedId(specs.get(m))));
      try {
        pipelines.add(pipeline(p, trainOf.get(p.name()), p.models().stream().map(cardById::get).toList(),
            p.policy() == null ? null : fleet.policies().get(p.policy()), recordedIds).withRecordedIds(recordedIds));
      } catch (IllegalArgumentException e) {
        // a value the strategy itself refuses (e.g. a trade-off outside its range)
        throw new IllegalArgumentException(FleetConfig.PIPELINES + "." + ModelSpec.quoted(p.name()) + ": "
            + e.getMessage(), e);
      }
    }
    return new EngineSetup(cards, workers, pipelines, pools);
  }

  /** The train split of the pipeline's data, renamed and re-priced for the fleet. */
  private RecordedDataset train(FleetConfig fleet, PipelineSpec p, Map<String, ModelSpec> specs) {
    Map<String, String> recordedAs = new LinkedHashMap<>();
    Map<String, RecordedDataset.CallPrice> prices = new LinkedHashMap<>();
    for (String m : p.models()) {
      ModelSpec spec = specs.get(m);
      recordedAs.put(m, FleetConfig.recordedId(spec));
      prices.put(m, spec::priceUsd);
    }
    RecordedDataset data = fleet.data().get(p.trainData());
    if (!data.hasSplit("train")) {
      data = data.withStratifiedSplit(seed, testShare);
    }
    return data.split("train").renamed(recordedAs, prices);
  }

  /**
   * What each pipeline is fitted on, for the start-up output: its train-data, and whether that file's own train
   * split is used or, having none, a seeded split stratified by task.
   */
  public List<String> notes(FleetConfig fleet) {
    List<String> notes = new ArrayList<>();
    for (PipelineSpec p : fleet.pipelines()) {
      if (p.trainData() != null && !fleet.data().get(p.trainData()).hasSplit("train")) {
        notes.add(String.format(Locale.ROOT, "pipeline %s: %s has no train split: fitted on a seeded split"
            + " stratified by task (seed %d, %.0f%% of each task held out)", p.name(), p.trainData(), seed,
            100 * testShare));
      }
    }
    return notes;
  }

  /** The configured card; mean latency and quality descriptors from recorded data where the model has some. */
  private static ModelCard card(ModelSpec spec, ModelCard recorded) {
    Map<String, Double> descriptors = new LinkedHashMap<>();
    if (recorded != null) {
      descriptors.putAll(recorded.descriptors());
    }
    spec.tags().forEach(t -> descriptors.put("tag:" + t, 1.0));
    return new ModelCard(spec.id(), spec.inputUsdPerMTok(), spec.outputUsdPerMTok(), spec.contextWindow(),
        recorded == null ? 0 : recorded.meanLatencyMs(), spec.joulesPerToken(), descriptors);
  }

  /**
   * @param artifact what the pipeline is served from, or null when it is fitted here (or needs no fitting)
   * @param recordedIds each of its models' ids in recorded data
   */
  private PipelineDefinition pipeline(PipelineSpec p, RecordedDataset train, List<ModelCard> cards,
      dev.switchyard.strategies.artifact.PolicyArtifact artifact, Map<String, String> recordedIds) {
    String what = p.description().isEmpty() ? "" : p.description() + "; ";
    return switch (p.kind()) {
      case FALLBACK -> PipelineDefinition.fixed(p.name(), what + "fallback chain " + String.join(" -> ",
          p.models()), FallbackChain.info(), new FallbackChain(p.models())).restrictedTo(p.models());
      case OFFLINE -> {
        if (artifact != null) {
          // fitted by `switchyard train` on the recording's ids: the planner routes the fleet through recorded-as
          Strategy strategy = artifact.restore();
          yield PipelineDefinition.fixed(p.name(), String.format(Locale.ROOT, "%s%s (%s), from %s (%s), cost weight"
                  + " %.2f", what, p.strategy(), strategy.info().citation(), p.policy().getFileName(),
                  artifact.fingerprint(), p.costWeight()),
              strategy.info(), new RenamedPlanner(strategy.planner(p.costWeight()), recordedIds))
              .restrictedTo(p.models());
        }
        Strategy strategy = StrategyCatalog.all().get(p.strategy()).get();
        strategy.fit(train, StrategyContext.seeded(seed));
        yield PipelineDefinition.fixed(p.name(), String.format(Locale.ROOT, "%s%s (%s), fitted on %s, cost weight"
                + " %.2f", what, p.strategy(), strategy.info().citation(), p.trainData().getFileName(), p.costWeight()),
            strategy.info(), strategy.planner(p.costWeight())).restrictedTo(p.models());
      }
      case LEARNER -> {
        if (artifact != null) {
          // trained by `switchyard train`: built cold with the artifact's parameters and reward scales, started
          // from its state (the learner journals that start; a journal that already holds one keeps its own)
          List<String> served = PolicyArtifacts.servedModels(artifact, p.models(), recordedIds);
          Supplier<OnlineLearner> learner = artifact.learner(served, p.costWeight(), p.params(),
              artifact.data().splitSeed());
          PipelineDefinition.Start start = new PipelineDefinition.Start(artifact.snapshot(learner.get(), served, 0),
              artifact.fingerprint() + " (" + p.policy().getFileName() + ")");
          yield PipelineDefinition.learned(p.name(), String.format(Locale.ROOT, "%s%s, started from %s (%d episodes"
              + " learned by `switchyard train`), online, reward = score - %.2f * cost / %.3g USD", what,
              p.strategy(), start.source(), start.snapshot().episodes(), p.costWeight(),
              artifact.learnerState().costScale()), learner).restrictedTo(p.models())
              .withReward(p.reward()).startingFrom(start);
        }
        RewardModel reward = LearnerCatalog.reward(p.costWeight(), cards, train, referenceInputTokens(),
            referenceOutputTokens());
        double costScale = reward.costScale();
        LearnerCatalog.Context context = new LearnerCatalog.Context(p.models(), reward, train, seed);
        Supplier<OnlineLearner> learner = LearnerCatalog.all().get(p.strategy()).build(p.params(), context);
        yield PipelineDefinition.learned(p.name(), String.format(Locale.ROOT, "%s%s, %s, online, reward = score -"
            + " %.2f * cost / %.3g USD", what, p.strategy(), train == null ? "cold start" : "started from "
            + p.trainData().getFileName(), p.costWeight(), costScale), learner).restrictedTo(p.models())
            .withReward(p.reward());
      }
    };
  }

  private int referenceInputTokens() {
    return settings.getInt("reference-call.input-tokens");
  }

  private int referenceOutputTokens() {
    return settings.getInt("reference-call.output-tokens");
  }
}
