package dev.switchyard.actors.fleet;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One served pipeline, from {@code switchyard.pipelines.<name>}.
 *
 * @param strategy a name of the strategy catalog, of the learner catalog, or {@code fallback}
 * @param kind which of the three it is
 * @param models the fleet models it routes between, in order (a fallback chain tries them in this order)
 * @param params the strategy's hyperparameters, checked by name ({@code cost-weight} taken out)
 * @param costWeight the trade-off: reward (or utility) = quality - cost-weight * cost / cost scale
 * @param trainData the recorded outcomes it is fitted on at start, or null
 * @param policy the artifact ({@code switchyard train}) it is served from without fitting, or null
 * @param reward {@code reward} (with {@code reward-model}, {@code judge-prompt}): what a learner takes as the
 *     reward of a query no feedback came for
 */
public record PipelineSpec(String name, String strategy, Kind kind, List<String> models, Map<String, Object> params,
    double costWeight, Path trainData, Path policy, dev.switchyard.actors.learn.RewardSignal reward,
    String description) {
  public enum Kind {
    /** Try the models in order, the next on error, refusal or timeout. */
    FALLBACK,
    /** An offline strategy, fitted on train-data at start. */
    OFFLINE,
    /** An online learner, cold or started from train-data, learning from every finished query. */
    LEARNER
  }

  public PipelineSpec {
    models = List.copyOf(models);
    params = Map.copyOf(params);
  }

  public static final java.util.Set<String> KEYS = java.util.Set.of("strategy", "models", "params", "train-data",
      "policy", "reward", "reward-model", "judge-prompt", "description");
}
