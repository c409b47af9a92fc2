package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a call is expected to cost before it is made, from the training split: mean recorded cost per model and
 * task (the task changes answer length a lot, e.g. GSM8K), falling back to the model's overall mean for an
 * unknown task; mean latency; energy from the model card's joules per token times mean tokens.
 * {@link #scale()} is the largest mean cost, so that cost weights are comparable across datasets.
 */
public final class CostModel {
  private final Map<String, Double> meanCost = new HashMap<>();
  private final Map<String, Double> taskCost = new HashMap<>();
  private final Map<String, Double> latencyMs = new HashMap<>();
  private final Map<String, Double> energyJoules = new HashMap<>();
  private final double scale;

  private CostModel(RecordedDataset train) {
    List<ModelCard> cards = ModelCatalog.fromRecorded(train);
    double max = 0;
    for (ModelCard card : cards) {
      String m = card.id();
      double cost = train.meanCost(m);
      meanCost.put(m, cost);
      max = Math.max(max, cost);
      latencyMs.put(m, card.meanLatencyMs());
      double tokens = train.queries().stream().mapToDouble(q -> {
        RecordedOutcome o = q.outcome(m);
        return o.inTokens() + o.outTokens();
      }).average().orElse(0);
      energyJoules.put(m, card.joulesPerToken() * tokens);
      for (String task : train.tasks()) {
        double c = train.queries().stream().filter(q -> q.task().equals(task))
            .mapToDouble(q -> q.outcome(m).costUsd()).average().orElse(cost);
        taskCost.put(key(m, task), c);
      }
    }
    this.scale = max > 0 ? max : 1.0;
  }

  public static CostModel fit(RecordedDataset train) {
    return new CostModel(train);
  }

  public double expectedCost(String model, String task) {
    Double c = task == null ? null : taskCost.get(key(model, task));
    return c != null ? c : meanCost.getOrDefault(model, Double.NaN);
  }

  public double meanCost(String model) {
    return meanCost.getOrDefault(model, Double.NaN);
  }

  public double latencyMs(String model) {
    return latencyMs.getOrDefault(model, 0.0);
  }

  public double energyJoules(String model) {
    return energyJoules.getOrDefault(model, 0.0);
  }

  /** The largest mean cost per query of any model on the training split (1 if all are free). */
  public double scale() {
    return scale;
  }

  public boolean knows(String model) {
    return meanCost.containsKey(model);
  }

  private static String key(String model, String task) {
    return model + '\u0000' + task;
  }
}
