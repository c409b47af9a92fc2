package dev.switchyard.simulator.backend;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small hand-made recording: 4 queries, 2 models. */
final class TestData {
  private TestData() {}

  static RecordedDataset dataset() {
    return new RecordedDataset("hand-made", List.of("small", "big"), List.of(
        query("q1", "train", "What is the capital of France? Answer in one word.",
            new RecordedOutcome(1, 0.0001, 100, 10, 300, -0.2, "Paris"),
            new RecordedOutcome(1, 0.0020, 100, 10, 900, -0.01, "Paris.")),
        query("q2", "train", "Solve for x: 2x + 3 = 11. Give only the number.",
            new RecordedOutcome(0, 0.0002, 120, 5, 250, -1.5, "5"),
            new RecordedOutcome(1, 0.0030, 120, 5, 800, -0.05, "4")),
        query("q3", "test", "Which planet is known as the red planet?",
            new RecordedOutcome(1, 0.0001, 80, 4, 200, -0.3, "Mars"),
            new RecordedOutcome(1, 0.0015, 80, 4, 700, -0.02, "Mars")),
        query("q4", "test", "Name the largest ocean on Earth.",
            new RecordedOutcome(0, 0.0001, 90, 6, 220, -2.0, "Atlantic"),
            new RecordedOutcome(1, 0.0016, 90, 6, 750, -0.1, "Pacific"))), true);
  }

  private static RecordedQuery query(String id, String split, String prompt, RecordedOutcome small,
      RecordedOutcome big) {
    Map<String, RecordedOutcome> o = new LinkedHashMap<>();
    o.put("small", small);
    o.put("big", big);
    return new RecordedQuery(id, "qa", split, prompt, o);
  }

  static PromptIndex index() {
    return new PromptIndex(dataset(), 4096, 100);
  }
}
