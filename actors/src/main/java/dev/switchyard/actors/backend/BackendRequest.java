package dev.switchyard.actors.backend;

import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.GenerationParams;
import java.util.List;
import java.util.Objects;

/**
 * One model call as a backend sees it.
 *
 * @param attemptId {@code <queryId>/<attemptNo>}: the idempotency key of the call, so that a retried call is
 *     recognised (and billed once) by backends that support it
 * @param queryText the routed text; simulated backends look the recorded outcome up by it
 * @param maxTokens upper bound on generated tokens, 0 for the backend's default
 * @param params the client's generation fields (tools, response format, sampling), the same for every call of a
 *     query; {@link GenerationParams#NONE} when none were given
 * @param streamTokens the caller takes the answer's tokens as they arrive ({@link InferenceBackend#stream}): a
 *     client streams an answer its pipeline accepts as it comes
 * @param traceparent the W3C trace context ({@code traceparent} header value) of the request this call serves,
 *     null when that request is not traced: a backend that traces its calls makes each attempt's span a child of
 *     it, whichever node the call runs on
 */
public record BackendRequest(String attemptId, String modelId, List<ChatMessage> messages, String queryText,
    int maxTokens, GenerationParams params, boolean streamTokens, String traceparent) implements CrossNode {
  public BackendRequest {
    Objects.requireNonNull(attemptId, "attemptId");
    Objects.requireNonNull(modelId, "modelId");
    messages = List.copyOf(messages);
    params = params == null ? GenerationParams.NONE : params;
  }

  public BackendRequest(String attemptId, String modelId, List<ChatMessage> messages, String queryText,
      int maxTokens, GenerationParams params) {
    this(attemptId, modelId, messages, queryText, maxTokens, params, false, null);
  }

  public BackendRequest(String attemptId, String modelId, List<ChatMessage> messages, String queryText,
      int maxTokens) {
    this(attemptId, modelId, messages, queryText, maxTokens, GenerationParams.NONE);
  }

  /** This call, taking its tokens as they arrive. */
  public BackendRequest withStreamTokens() {
    return new BackendRequest(attemptId, modelId, messages, queryText, maxTokens, params, true, traceparent);
  }

  /** This call, on behalf of the traced request {@code traceparent} names (null: untraced). */
  public BackendRequest withTraceparent(String traceparent) {
    return new BackendRequest(attemptId, modelId, messages, queryText, maxTokens, params, streamTokens, traceparent);
  }

  /** The fields of {@link #params} that {@code backend} declares it cannot honour, in request order. */
  public List<String> unhonouredBy(InferenceBackend backend) {
    return params.fieldsGiven().stream().filter(backend.unhonouredFields()::contains).toList();
  }
}
