package dev.switchyard.protocol;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A query to answer. {@code task} is an optional hint (e.g. "mmlu") that routers may use as a feature;
 * null when unknown. {@code maxOutputTokens} caps the tokens each model call may generate (a client's
 * {@code max_tokens}), 0 for each backend's default; journaled queries recorded before it existed read as 0.
 * {@code params} are the client's other generation fields, passed to every model call of the query; queries
 * journaled before it existed read as {@link GenerationParams#NONE}. {@code tenant} is the tenant whose API key
 * asked it, null when the node has no keys configured (and for queries journaled before it existed): the
 * tenant's budget and limits meter its model calls, and only it may rate the query.
 */
public record Query(String id, List<ChatMessage> messages, String task, Budget budget, int maxOutputTokens,
    GenerationParams params, String tenant) implements CrossNode {
  public Query {
    Objects.requireNonNull(id, "id");
    messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a query needs at least one message");
    }
    budget = budget == null ? Budget.unlimited() : budget;
    if (maxOutputTokens < 0) {
      throw new IllegalArgumentException("maxOutputTokens must be >= 0 (0 = backend default), got "
          + maxOutputTokens);
    }
    params = params == null ? GenerationParams.NONE : params;
  }

  public Query(String id, List<ChatMessage> messages, String task, Budget budget, int maxOutputTokens,
      GenerationParams params) {
    this(id, messages, task, budget, maxOutputTokens, params, null);
  }

  public Query(String id, List<ChatMessage> messages, String task, Budget budget, int maxOutputTokens) {
    this(id, messages, task, budget, maxOutputTokens, GenerationParams.NONE);
  }

  public Query(String id, List<ChatMessage> messages, String task, Budget budget) {
    this(id, messages, task, budget, 0);
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
    return new Query(id, messages, task, newBudget, maxOutputTokens, params, tenant);
  }

  public Query withMaxOutputTokens(int tokens) {
    return new Query(id, messages, task, budget, tokens, params, tenant);
  }

  public Query withParams(GenerationParams newParams) {
    return new Query(id, messages, task, budget, maxOutputTokens, newParams, tenant);
  }

  public Query withTenant(String newTenant) {
    return new Query(id, messages, task, budget, maxOutputTokens, params, newTenant);
  }
}
