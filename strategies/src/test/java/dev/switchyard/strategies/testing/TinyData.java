package dev.switchyard.strategies.testing;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made recorded outcomes for exact-number tests: two models, "small" (cheap) and "large". */
public final class TinyData {
  private TinyData() {}

  public static RecordedOutcome outcome(double score, double cost, double confidence, String answer) {
    return new RecordedOutcome(score, cost, 10, 1, 100.0, confidence, answer);
  }

  public static RecordedQuery query(String id, String split, String prompt, RecordedOutcome small,
      RecordedOutcome large) {
    Map<String, RecordedOutcome> o = new LinkedHashMap<>();
    o.put("small", small);
    o.put("large", large);
    return new RecordedQuery(id, "task", split, prompt, o);
  }

  public static RecordedDataset dataset(RecordedQuery... queries) {
    return new RecordedDataset("tiny", List.of("small", "large"), List.of(queries), true);
  }
}
