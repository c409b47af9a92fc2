package dev.switchyard.protocol;

import java.util.Objects;

/**
 * One message of a chat conversation, in the OpenAI sense ({@code system}, {@code developer}, {@code user},
 * {@code assistant}, {@code tool}).
 *
 * @param content the text; empty (never null) for an assistant message that only called tools
 * @param toolCalls an assistant message's {@code tool_calls}, as the compact JSON array the client sent; null
 *     when none
 * @param toolCallId a {@code tool} message's {@code tool_call_id}: the call it answers; null otherwise
 * @param name the participant's {@code name}; null when not given
 */
public record ChatMessage(String role, String content, String toolCalls, String toolCallId, String name)
    implements CrossNode {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public ChatMessage(String role, String content) {
    this(role, content, null, null, null);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }
}
