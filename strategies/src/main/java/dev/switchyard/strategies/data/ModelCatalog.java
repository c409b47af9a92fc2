package dev.switchyard.strategies.data;

import dev.switchyard.protocol.ModelCard;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds model cards from recorded outcomes (training split only): a blended per-token price from recorded
 * cost and tokens, mean latency, prior quality overall and per task, and an energy estimate.
 *
 * <p>Energy is a documented estimate, not a measurement: {@value #JOULES_PER_TOKEN_PER_BILLION_PARAMS} J per
 * token per billion parameters, from Samsi et al., "From Words to Watts" (HPEC 2023), who measured about 3-4 J
 * per output token for LLaMA-65B on A100s. Parameter counts come from the model id ("70b") or, for models
 * whose size is not public, from {@link #ASSUMED_PARAMS_B} (stated assumptions).
 */
public final class ModelCatalog {
  public static final double JOULES_PER_TOKEN_PER_BILLION_PARAMS = 0.05;
  /** Assumed sizes of models whose size is not published (billions of parameters). */
  public static final Map<String, Double> ASSUMED_PARAMS_B = Map.of("gpt-4o-mini", 8.0, "gpt-4o", 200.0);
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)b(?![a-z])");

  private ModelCatalog() {}

  public static List<ModelCard> fromRecorded(RecordedDataset train) {
    return train.models().stream().map(m -> card(train, m)).toList();
  }

  /** The card of one model of {@code train}. */
  public static ModelCard card(RecordedDataset train, String model) {
    double cost = 0;
    long tokens = 0;
    double latency = 0;
    int latencyCount = 0;
    for (RecordedQuery q : train.queries()) {
      RecordedOutcome o = q.outcome(model);
      cost += o.costUsd();
      tokens += o.inTokens() + o.outTokens();
      if (o.hasLatency()) {
        latency += o.latencyMs();
        latencyCount++;
      }
    }
    double perMTok = tokens == 0 ? 0 : cost / tokens * 1_000_000.0;
    double params = paramsBillions(model).orElse(10.0);
    Map<String, Double> descriptors = new LinkedHashMap<>();
    descriptors.put("params_b", params);
    descriptors.put("prior_quality", train.meanScore(model));
    descriptors.put("mean_cost_usd", train.meanCost(model));
    for (String task : train.tasks()) {
      double s = train.queries().stream().filter(q -> q.task().equals(task))
          .mapToDouble(q -> q.outcome(model).score()).average().orElse(Double.NaN);
      descriptors.put("task:" + task, s);
    }
    return new ModelCard(model, perMTok, perMTok, 128_000,
        latencyCount == 0 ? 0 : latency / latencyCount,
        params * JOULES_PER_TOKEN_PER_BILLION_PARAMS, descriptors);
  }

  /** Parameter count parsed from an id like {@code llama3.1-70b}, else the stated assumption, if any. */
  public static Optional<Double> paramsBillions(String modelId) {
    if (ASSUMED_PARAMS_B.containsKey(modelId)) {
      return Optional.of(ASSUMED_PARAMS_B.get(modelId));
    }
    Matcher m = SIZE.matcher(modelId.toLowerCase());
    Double found = null;
    while (m.find()) {
      found = Double.parseDouble(m.group(1));
    }
    return Optional.ofNullable(found);
  }
}
