package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.JsonNode;

/** The mean token log-probability over {@code logprobs.content} of one or more choices (or chunks). */
final class LogprobMean {
  private double sum;
  private int n;

  void add(JsonNode choice) {
    JsonNode tokens = choice.path("logprobs").path("content");
    if (tokens.isArray()) {
      for (JsonNode t : tokens) {
        if (t.path("logprob").isNumber()) {
          sum += t.get("logprob").asDouble();
          n++;
        }
      }
    }
  }

  /** Null when no log-probability came back. */
  Double mean() {
    return n == 0 ? null : sum / n;
  }
}
