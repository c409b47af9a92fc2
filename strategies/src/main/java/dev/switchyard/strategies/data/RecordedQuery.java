package dev.switchyard.strategies.data;

import java.util.Map;
import java.util.Objects;

/**
 * One recorded query and every model's outcome on it.
 *
 * @param split the authors' split, {@code train} or {@code test}
 * @param outcomes per model id, in the file's model order
 */
public record RecordedQuery(String id, String task, String split, String prompt, Map<String, RecordedOutcome> outcomes) {
  public RecordedQuery {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(prompt, "prompt");
  }

  public RecordedOutcome outcome(String modelId) {
    RecordedOutcome o = outcomes.get(modelId);
    if (o == null) {
      throw new IllegalArgumentException("query " + id + " has no recorded outcome for model " + modelId);
    }
    return o;
  }
}
