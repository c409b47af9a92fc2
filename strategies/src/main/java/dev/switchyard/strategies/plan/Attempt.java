package dev.switchyard.strategies.plan;

import dev.switchyard.protocol.Response;
import java.util.Objects;

/**
 * One model call of a plan and how it ended: with a response, or refused by the pool, or failed.
 *
 * @param subQuery the text sent when a planner routed a sub-query, null when the query itself was sent
 * @param failure null when the call answered; otherwise why not (e.g. {@code rejected}, {@code error: ...})
 */
public record Attempt(String modelId, String subQuery, Response response, String failure) {
  public Attempt {
    Objects.requireNonNull(modelId, "modelId");
    if ((response == null) == (failure == null)) {
      throw new IllegalArgumentException("an attempt has either a response or a failure");
    }
  }

  public static Attempt answered(Response response) {
    return new Attempt(response.modelId(), null, response, null);
  }

  public static Attempt failed(String modelId, String failure) {
    return new Attempt(modelId, null, null, failure);
  }

  public boolean succeeded() {
    return response != null;
  }
}
