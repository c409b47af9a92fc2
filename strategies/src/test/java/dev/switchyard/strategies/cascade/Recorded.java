package dev.switchyard.strategies.cascade;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made recorded datasets for the strategy tests. */
public final class Recorded {
  private final List<String> models;
  private final List<RecordedQuery> queries = new ArrayList<>();

  private Recorded(List<String> models) {
    this.models = List.copyOf(models);
  }

  public static Recorded models(String... models) {
    return new Recorded(List.of(models));
  }

  /** One model's outcome: score, cost, raw confidence (NaN = none), answer text, one output token. */
  public static RecordedOutcome o(double score, double cost, double confidence, String answer) {
    return new RecordedOutcome(score, cost, 10, 1, 100, confidence, answer);
  }

  /** Adds a query; outcomes in model order. */
  public Recorded query(String id, String task, String split, String prompt, RecordedOutcome... outcomes) {
    if (outcomes.length != models.size()) {
      throw new IllegalArgumentException("expected " + models.size() + " outcomes, got " + outcomes.length);
    }
    Map<String, RecordedOutcome> byModel = new LinkedHashMap<>();
    for (int i = 0; i < outcomes.length; i++) {
      byModel.put(models.get(i), outcomes[i]);
    }
    queries.add(new RecordedQuery(id, task, split, prompt, byModel));
    return this;
  }

  public RecordedDataset build() {
    return new RecordedDataset("hand-made", models, queries, true);
  }

  public RecordedQuery last() {
    return queries.get(queries.size() - 1);
  }

  /** Replays one query and returns the models called, in order. */
  public static List<String> calls(Planner planner, RecordedQuery q, RecordedDataset train) {
    return replay(planner, q, train).calls();
  }

  public static OfflineReplay.Outcome replay(Planner planner, RecordedQuery q, RecordedDataset train) {
    List<ModelCard> cards = ModelCatalog.fromRecorded(train);
    return OfflineReplay.run(planner, q, cards, Budget.unlimited(), "test", 0);
  }

  public static Response response(String model, String text, Double confidence, Double referenceScore) {
    return new Response(model, text, 10, 1, 100, 0.001, 0, confidence, referenceScore, null);
  }
}
