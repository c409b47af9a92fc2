package dev.switchyard.strategies.pipeline;

import dev.switchyard.protocol.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Combining several models' answers: a weighted vote over normalised answer texts. */
public final class Aggregation {
  private Aggregation() {}

  /** Lower-cased, trimmed, trailing punctuation removed: "B." and " b" vote together. */
  public static String normalise(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    while (!t.isEmpty() && ".!,;:".indexOf(t.charAt(t.length() - 1)) >= 0) {
      t = t.substring(0, t.length() - 1).strip();
    }
    return t;
  }

  /**
   * The response whose normalised answer has the largest total weight; ties go to the answer seen first, and
   * within the winning answer the response with the largest weight stands for it.
   */
  public static Response weightedVote(List<Response> responses, ToDoubleFunction<Response> weight) {
    if (responses.isEmpty()) {
      throw new IllegalArgumentException("nothing to aggregate");
    }
    Map<String, Double> totals = new LinkedHashMap<>();
    Map<String, Response> champion = new LinkedHashMap<>();
    for (Response r : responses) {
      String key = normalise(r.text());
      double w = weight.applyAsDouble(r);
      totals.merge(key, w, Double::sum);
      champion.merge(key, r, (old, cur) -> weight.applyAsDouble(cur) > weight.applyAsDouble(old) ? cur : old);
    }
    String best = null;
    for (var e : totals.entrySet()) {
      if (best == null || e.getValue() > totals.get(best)) {
        best = e.getKey();
      }
    }
    return champion.get(best);
  }

  /** Share of responses whose normalised answer equals the given response's. */
  public static double agreement(Response response, List<Response> responses) {
    if (responses.isEmpty()) {
      return 0;
    }
    String key = normalise(response.text());
    return responses.stream().filter(r -> normalise(r.text()).equals(key)).count() / (double) responses.size();
  }
}
