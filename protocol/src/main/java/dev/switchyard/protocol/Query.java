package dev.switchyard.protocol;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A query to answer. {@code task} is an optional hint (e.g. "mmlu") that routers may use as a feature;
 * null when unknown.
 */
public record Query(String id, List<ChatMessage> messages, String task, Budget budget) implements CrossNode {
  public Query {
    Objects.requireNonNull(id, "id");
    messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a query needs at least one message");
    }
    budget = budget == null ? Budget.unlimited() : budget;
  }

  public static Query ofText(String id, String text) {
    return new Query(id, List.of(ChatMessage.user(text)), null, Budget.unlimited());
  }

  /** The text routers look at: the user messages joined, the last one being the question. */
  public String text() {
    return messages.stream()
        .filter(m -> m.role().equals("user"))
        .map(ChatMessage::content)
        .collect(Collectors.joining("\n"));
  }

  public Query withBudget(Budget newBudget) {
    return new Query(id, messages, task, newBudget);
  }
}
