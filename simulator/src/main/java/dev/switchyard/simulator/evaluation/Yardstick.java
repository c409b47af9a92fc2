package dev.switchyard.simulator.evaluation;

import dev.switchyard.strategies.data.RecordedDataset;
import java.util.Comparator;

/**
 * The two single models every relative metric is measured against, both chosen on the evaluated split (they
 * are reference points of the report, not choices any strategy makes, so no strategy is tuned on them):
 * the best single model has the highest mean score (ties: the cheaper); the cheapest model has the lowest mean
 * cost (ties: the better). RouteLLM's "strong" and "weak" models are these two.
 */
public record Yardstick(String bestModel, double bestQuality, double bestCost, String cheapModel,
    double cheapQuality, double cheapCost) {

  public static Yardstick of(RecordedDataset split) {
    String best = split.bestSingleModel();
    String cheap = split.models().stream().min(Comparator.comparingDouble(split::meanCost)
        .thenComparing(Comparator.comparingDouble(split::meanScore).reversed())).orElseThrow();
    return new Yardstick(best, split.meanScore(best), split.meanCost(best), cheap, split.meanScore(cheap),
        split.meanCost(cheap));
  }
}
