package dev.switchyard.actors.backend;

import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.CrossNode;
import java.util.List;
import java.util.Objects;

/**
 * One model call as a backend sees it.
 *
 * @param attemptId {@code <queryId>/<attemptNo>}: the idempotency key of the call, so that a retried call is
 *     recognised (and billed once) by backends that support it
 * @param queryText the routed text; simulated backends look the recorded outcome up by it
 * @param maxTokens upper bound on generated tokens, 0 for the backend's default
 */
public record BackendRequest(String attemptId, String modelId, List<ChatMessage> messages, String queryText,
    int maxTokens) implements CrossNode {
  public BackendRequest {
    Objects.requireNonNull(attemptId, "attemptId");
    Objects.requireNonNull(modelId, "modelId");
    messages = List.copyOf(messages);
  }
}
