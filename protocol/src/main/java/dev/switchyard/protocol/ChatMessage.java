package dev.switchyard.protocol;

import java.util.Objects;

/** One message of a chat conversation, in the OpenAI sense ({@code system}, {@code user}, {@code assistant}). */
public record ChatMessage(String role, String content) implements CrossNode {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }
}
