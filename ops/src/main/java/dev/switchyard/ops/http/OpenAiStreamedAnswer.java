package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.protocol.Response;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One answer of an OpenAI-compatible upstream as it streams ({@code stream: true}): reads its server-sent events
 * line by line, hands each piece of content on as it comes, and assembles what a whole body would have said:
 * the text, the tool calls (their {@code id}, {@code type}, {@code function.name} and the pieces of
 * {@code function.arguments}, by {@code index}), the finish reason, the usage of the last event, the mean token
 * log-probability. Used by one stream at a time (the stream's stage calls it in order).
 */
final class OpenAiStreamedAnswer {
  private static final String DATA = "data:";

  private final OpenAiCompatibleBackend backend;
  private final ObjectMapper mapper;
  private final Consumer<String> tokens;
  private final StringBuilder text = new StringBuilder();
  private final Map<Integer, ObjectNode> toolCalls = new TreeMap<>();
  private final LogprobMean logprobs = new LogprobMean();
  private JsonNode usage = MissingNode.getInstance();
  private String finishReason;
  private boolean done;

  OpenAiStreamedAnswer(OpenAiCompatibleBackend backend, ObjectMapper mapper, Consumer<String> tokens) {
    this.backend = backend;
    this.mapper = mapper;
    this.tokens = tokens;
  }

  /** One line of the event stream (without its line feed). Throws {@link BackendException} on a bad event. */
  void onLine(String line) {
    String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    if (!l.startsWith(DATA)) {
      return; // a blank line between events, a comment (":"), or a field this reader does not need
    }
    String payload = l.substring(DATA.length()).strip();
    if (payload.equals("[DONE]")) {
      done = true;
      return;
    }
    JsonNode event;
    try {
      event = mapper.readTree(payload);
    } catch (IOException e) {
      throw backend.malformed("an event of the stream is not JSON");
    }
    if (event == null || !event.isObject()) {
      throw backend.malformed("an event of the stream is not a JSON object");
    }
    if (event.path("error").isObject()) {
      String message = event.path("error").path("message").asText("");
      throw new BackendException(BackendException.Kind.SERVER_ERROR, "backend " + backend.modelId()
          + " sent an error event" + (message.isBlank() ? "" : ": " + OpenAiCompatibleBackend.shortened(message)));
    }
    if (event.path("usage").isObject()) {
      usage = event.get("usage");
    }
    JsonNode choice = event.path("choices").path(0);
    if (!choice.isObject()) {
      return; // the usage event has no choices
    }
    logprobs.add(choice);
    if (choice.path("finish_reason").isTextual()) {
      finishReason = choice.get("finish_reason").asText();
    }
    JsonNode delta = choice.path("delta");
    if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
      String piece = delta.get("content").asText();
      text.append(piece);
      tokens.accept(piece);
    }
    if (delta.path("tool_calls").isArray()) {
      delta.get("tool_calls").forEach(this::addToolCallPiece);
    }
  }

  private void addToolCallPiece(JsonNode piece) {
    ObjectNode call = toolCalls.computeIfAbsent(piece.path("index").asInt(toolCalls.size()), i -> {
      ObjectNode c = mapper.createObjectNode();
      c.putObject("function").put("name", "").put("arguments", "");
      return c;
    });
    if (piece.path("id").isTextual()) {
      call.put("id", piece.get("id").asText());
    }
    if (piece.path("type").isTextual()) {
      call.put("type", piece.get("type").asText());
    }
    ObjectNode function = (ObjectNode) call.get("function");
    JsonNode f = piece.path("function");
    if (f.path("name").isTextual()) {
      function.put("name", function.get("name").asText() + f.get("name").asText());
    }
    if (f.path("arguments").isTextual()) {
      function.put("arguments", function.get("arguments").asText() + f.get("arguments").asText());
    }
  }

  /** The whole answer once the stream has ended; a stream cut before its end is a {@code SERVER_ERROR}. */
  Response finish(double latencyMs) {
    if (!done && finishReason == null) {
      throw new BackendException(BackendException.Kind.SERVER_ERROR, "backend " + backend.modelId()
          + " ended its stream before the last event (no finish_reason, no [DONE]) after " + text.length()
          + " characters");
    }
    String calls = null;
    if (!toolCalls.isEmpty()) {
      ArrayNode array = mapper.createArrayNode();
      toolCalls.values().forEach(c -> {
        if (!c.has("type")) {
          c.put("type", "function");
        }
        array.add(c);
      });
      calls = array.toString();
    }
    return backend.answer(text.toString(), calls, finishReason, usage, logprobs.mean(), latencyMs);
  }
}
