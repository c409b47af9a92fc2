package dev.switchyard.ops.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.GenerationParams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code POST /v1/chat/completions} body.
 *
 * <p>Accepted fields ({@link #FIELDS}; docs/HTTP-API.md has the table): {@code model} (the pipeline),
 * {@code messages}, {@code max_tokens} (or {@code max_completion_tokens}), {@code stream},
 * {@code stream_options.include_usage}, {@code n} (only 1), the generation fields of {@link GenerationFields}
 * ({@code tools}, {@code tool_choice}, {@code parallel_tool_calls}, {@code response_format}, {@code temperature},
 * {@code top_p}, {@code stop}, {@code seed}, {@code presence_penalty}, {@code frequency_penalty},
 * {@code logit_bias}, {@code user}), {@code logprobs} (only false) and {@code top_logprobs} (only null), and the
 * extension object {@code switchyard} ({@link #SWITCHYARD_FIELDS}). Every number is bounded ({@link RequestBounds}):
 * {@code max_tokens} 1..max-tokens-limit, {@code switchyard.max_rounds} and {@code deadline_ms} integers up to
 * their limits, {@code max_cost_usd} a finite number up to its limit.
 *
 * <p>Nothing is silently ignored: any other field, at the top level, in a message, in {@code stream_options} or in
 * {@code switchyard}, is a 400 {@code unknown_field} naming it, and a field whose meaning a pipeline would change
 * is refused ({@code n} other than 1, {@code logprobs}, non-text content parts). Known fields are type-checked
 * strictly; duplicate keys and trailing data are malformed JSON.
 *
 * <p>Messages: {@code role} and {@code content} (a string or text parts; null only for an assistant message),
 * optional {@code name}; an assistant message may carry {@code tool_calls} and a {@code tool} message must carry
 * the {@code tool_call_id} of a tool call made earlier in the conversation. {@code refusal} is accepted when null
 * (clients send back the assistant messages they received).
 */
public record ChatCompletionRequest(
    String model,
    List<ChatMessage> messages,
    int maxTokens,
    boolean stream,
    boolean includeUsage,
    Budget budget,
    String task,
    Durability durability,
    Boolean progress,
    GenerationParams params) {

  /** Every top-level field accepted, in the order of OpenAI's reference; anything else is refused. */
  public static final List<String> FIELDS = List.of("model", "messages", "max_tokens", "max_completion_tokens",
      "stream", "stream_options", "n", "tools", "tool_choice", "parallel_tool_calls", "response_format",
      "temperature", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
      "top_logprobs", "user", "switchyard");
  public static final List<String> STREAM_OPTIONS_FIELDS = List.of("include_usage");
  public static final List<String> SWITCHYARD_FIELDS = List.of("max_cost_usd", "max_rounds", "deadline_ms", "task",
      "durability", "progress");
  public static final List<String> MESSAGE_FIELDS = List.of("role", "content", "name", "tool_calls", "tool_call_id",
      "refusal");

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  /** The end user's id ({@code user}), null when not given. */
  public String user() {
    return params.user();
  }

  /** A mapper for request bodies with the configured (tight) read constraints. */
  public static ObjectMapper mapper(HttpSettings settings) {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(settings.jsonConstraints())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  /** Parses and validates a body; every problem becomes a 400 {@link ApiError} naming the field. */
  public static ChatCompletionRequest parse(byte[] body, ObjectMapper mapper, HttpSettings limits) {
    return fromJson(readObject(body, mapper), limits);
  }

  /** Reads a body that must be one JSON object; malformed or over-limit JSON is a 400 without echoing input. */
  public static JsonNode readObject(byte[] body, ObjectMapper mapper) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (StreamConstraintsException e) {
      throw new ApiError(400, "invalid_request_error", "request JSON exceeds a limit: " + e.getOriginalMessage(),
          null, "json_limit_exceeded", null);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new ApiError(400, "invalid_request_error", "request body is not valid JSON" + where, null,
          "invalid_json", null);
    } catch (IOException e) {
      throw new ApiError(400, "invalid_request_error", "request body could not be read", null, "invalid_json", null);
    }
    if (root == null || root.isMissingNode()) {
      throw new ApiError(400, "invalid_request_error", "request body is empty; expected a JSON object", null,
          "invalid_json", null);
    }
    if (!root.isObject()) {
      throw new ApiError(400, "invalid_request_error", "request body must be a JSON object", null, "invalid_json",
          null);
    }
    return root;
  }

  static ChatCompletionRequest fromJson(JsonNode root, HttpSettings limits) {
    knownFields(root, FIELDS, "");
    String model = requiredString(root, "model");
    if (model.isBlank()) {
      throw ApiError.invalid("model", "'model' must name a pipeline, e.g. switchyard/cascade");
    }
    List<ChatMessage> messages = messages(root, limits);

    int maxTokens = 0;
    for (String field : List.of("max_tokens", "max_completion_tokens")) {
      JsonNode n = root.get(field);
      if (n != null && !n.isNull()) {
        maxTokens = (int) RequestBounds.integer(root, field, field, 1, limits.maxTokensLimit(), 0);
      }
    }
    boolean stream = optionalBoolean(root, "stream", false);
    boolean includeUsage = false;
    JsonNode streamOptions = root.get("stream_options");
    if (streamOptions != null && !streamOptions.isNull()) {
      if (!streamOptions.isObject()) {
        throw ApiError.invalid("stream_options", "'stream_options' must be an object");
      }
      knownFields(streamOptions, STREAM_OPTIONS_FIELDS, "stream_options.");
      includeUsage = optionalBoolean(streamOptions, "include_usage", false, "stream_options.include_usage");
    }
    if (optionalBoolean(root, "logprobs", false)) {
      throw new ApiError(400, "invalid_request_error", "'logprobs' is not supported: a pipeline's answer may come"
          + " from any of its models, and token log-probabilities are not passed back", "logprobs",
          "unsupported_field", null);
    }
    if (root.hasNonNull("top_logprobs")) {
      throw new ApiError(400, "invalid_request_error", "'top_logprobs' is not supported (it needs 'logprobs',"
          + " which is not supported)", "top_logprobs", "unsupported_field", null);
    }
    GenerationParams params = GenerationFields.parse(root, limits);
    JsonNode n = root.get("n");
    if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.canConvertToLong() && n.longValue() == 1)) {
      throw ApiError.invalid("n", "'n' must be 1: a pipeline returns one answer per request");
    }

    Budget budget = Budget.unlimited();
    String task = null;
    Durability durability = Durability.EPHEMERAL;
    Boolean progress = null;
    JsonNode ext = root.get("switchyard");
    if (ext != null && !ext.isNull()) {
      if (!ext.isObject()) {
        throw ApiError.invalid("switchyard", "'switchyard' must be an object");
      }
      knownFields(ext, SWITCHYARD_FIELDS, "switchyard.");
      RequestBounds bounds = limits.bounds();
      double maxCost = RequestBounds.nonNegative(ext, "max_cost_usd", "switchyard.max_cost_usd",
          bounds.maxCostUsd(), " (USD, 0 = no limit)");
      long maxRounds = RequestBounds.integer(ext, "max_rounds", "switchyard.max_rounds", 0, bounds.maxRounds(), 0);
      long deadline = RequestBounds.integer(ext, "deadline_ms", "switchyard.deadline_ms", 0,
          bounds.maxDeadline().toMillis(), 0);
      budget = new Budget(maxCost, (int) maxRounds, deadline);
      task = optionalString(ext, "task", "switchyard.task");
      if (task != null && (task.isBlank() || task.length() > 64)) {
        throw ApiError.invalid("switchyard.task", "'switchyard.task' must be 1 to 64 characters");
      }
      String d = optionalString(ext, "durability", "switchyard.durability");
      if (d != null) {
        switch (d) {
          case "ephemeral" -> durability = Durability.EPHEMERAL;
          case "durable" -> durability = Durability.DURABLE;
          default -> throw ApiError.invalid("switchyard.durability",
              "'switchyard.durability' must be \"ephemeral\" or \"durable\"");
        }
      }
      if (ext.has("progress") && !ext.get("progress").isNull()) {
        progress = optionalBoolean(ext, "progress", false, "switchyard.progress");
      }
    }
    return new ChatCompletionRequest(model, messages, maxTokens, stream, includeUsage, budget, task, durability,
        progress, params);
  }

  /** Refuses a field of {@code obj} that is not in {@code known}; {@code prefix} is obj's path in the request. */
  private static void knownFields(JsonNode obj, List<String> known, String prefix) {
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        String param = prefix + ApiError.excerpt(field);
        throw new ApiError(400, "invalid_request_error", "unknown field '" + param + "': accepted "
            + (prefix.isEmpty() ? "fields" : "in '" + prefix.substring(0, prefix.length() - 1) + "'") + " are "
            + String.join(", ", known) + " (see docs/HTTP-API.md)", param, "unknown_field", null);
      }
    }
  }

  private static List<ChatMessage> messages(JsonNode root, HttpSettings limits) {
    JsonNode node = root.get("messages");
    if (node == null || node.isNull()) {
      throw ApiError.missing("messages");
    }
    return messages(node, "messages", limits);
  }

  /** Validates a messages array; {@code param} is its path in the request (e.g. {@code steps[2].messages}). */
  static List<ChatMessage> messages(JsonNode node, String param, HttpSettings limits) {
    if (!node.isArray()) {
      throw ApiError.invalid(param, "'" + param + "' must be an array of {role, content} objects");
    }
    if (node.isEmpty()) {
      throw ApiError.invalid(param, "'" + param + "' must not be empty");
    }
    if (node.size() > limits.maxMessages()) {
      throw ApiError.invalid(param, "'" + param + "' may hold at most " + limits.maxMessages() + " messages");
    }
    List<ChatMessage> out = new ArrayList<>(node.size());
    long chars = 0;
    boolean anyUser = false;
    Set<String> toolCallIds = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = param + "[" + i + "]";
      JsonNode m = node.get(i);
      if (!m.isObject()) {
        throw ApiError.invalid(at, "'" + at + "' must be an object with 'role' and 'content'");
      }
      knownFields(m, MESSAGE_FIELDS, at + ".");
      JsonNode roleNode = m.get("role");
      if (roleNode == null || !roleNode.isTextual() || !ROLES.contains(roleNode.asText())) {
        throw ApiError.invalid(at + ".role", "'" + at + ".role' must be one of system, developer, user, assistant, tool");
      }
      String role = roleNode.asText();
      if (m.hasNonNull("refusal")) {
        throw new ApiError(400, "invalid_request_error", "'" + at + ".refusal' is accepted only as null: a refusal"
            + " is not passed to models", at + ".refusal", "unsupported_field", null);
      }
      String toolCalls = toolCalls(m, at, role, toolCallIds);
      String toolCallId = toolCallId(m, at, role, toolCallIds);
      String name = optionalString(m, "name", at + ".name");
      if (name != null && !GenerationFields.NAME.matcher(name).matches()) {
        throw ApiError.invalid(at + ".name", "'" + at + ".name' must be 1 to 64 letters, digits, '_' or '-'");
      }
      String content = content(m.get("content"), at + ".content", role);
      chars += content.length() + (toolCalls == null ? 0 : toolCalls.length());
      if (chars > limits.maxPromptChars()) {
        throw ApiError.invalid(param, "'" + param + "' holds more than " + limits.maxPromptChars() + " characters");
      }
      anyUser |= role.equals("user") && !content.isBlank();
      out.add(new ChatMessage(role, content, toolCalls, toolCallId, name));
    }
    if (!anyUser) {
      throw ApiError.invalid(param, "'" + param + "' must contain at least one non-empty user message");
    }
    return out;
  }

  /** An assistant message's {@code tool_calls} as compact JSON (null when none); their ids go to {@code ids}. */
  private static String toolCalls(JsonNode m, String at, String role, Set<String> ids) {
    JsonNode calls = m.get("tool_calls");
    if (calls == null || calls.isNull()) {
      return null;
    }
    String param = at + ".tool_calls";
    if (!role.equals("assistant")) {
      throw ApiError.invalid(param, "'" + param + "' is only allowed on an assistant message");
    }
    if (!calls.isArray() || calls.isEmpty()) {
      throw ApiError.invalid(param, "'" + param + "' must be a non-empty array of tool calls");
    }
    for (int j = 0; j < calls.size(); j++) {
      String cat = param + "[" + j + "]";
      JsonNode call = calls.get(j);
      if (!call.isObject() || !call.path("id").isTextual() || call.get("id").asText().isEmpty()
          || !"function".equals(call.path("type").asText(null)) || !call.path("function").isObject()
          || !call.path("function").path("name").isTextual() || !call.path("function").path("arguments").isTextual()) {
        throw ApiError.invalid(cat, "'" + cat + "' must be {\"id\": ..., \"type\": \"function\", \"function\":"
            + " {\"name\": ..., \"arguments\": \"<JSON text>\"}}");
      }
      ids.add(call.get("id").asText());
    }
    return GenerationFields.json(calls);
  }

  /** A tool message's {@code tool_call_id}, which must answer a tool call made earlier; null for other roles. */
  private static String toolCallId(JsonNode m, String at, String role, Set<String> ids) {
    String param = at + ".tool_call_id";
    String id = optionalString(m, "tool_call_id", param);
    if (!role.equals("tool")) {
      if (id != null) {
        throw ApiError.invalid(param, "'" + param + "' is only allowed on a tool message");
      }
      return null;
    }
    if (id == null) {
      throw ApiError.missing(param);
    }
    if (!ids.contains(id)) {
      throw ApiError.invalid(param, "'" + param + "' answers no tool call of an earlier assistant message: '"
          + ApiError.excerpt(id) + "'");
    }
    return id;
  }

  private static String content(JsonNode c, String at, String role) {
    if (c == null || c.isNull()) {
      if (role.equals("assistant")) {
        return "";
      }
      throw ApiError.invalid(at, "'" + at + "' is required for role " + role);
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (c.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int j = 0; j < c.size(); j++) {
        JsonNode part = c.get(j);
        String pat = at + "[" + j + "]";
        if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw ApiError.invalid(pat, "'" + pat + "' must be a {\"type\": \"text\", \"text\": ...} part;"
              + " other content types are not supported");
        }
        if (text.length() > 0) {
          text.append('\n');
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw ApiError.invalid(at, "'" + at + "' must be a string or an array of text parts");
  }

  private static String requiredString(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw ApiError.missing(field);
    }
    if (!n.isTextual()) {
      throw ApiError.invalid(field, "'" + field + "' must be a string");
    }
    return n.asText();
  }

  private static String optionalString(JsonNode obj, String field, String param) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiError.invalid(param, "'" + param + "' must be a string");
    }
    return n.asText();
  }

  private static boolean optionalBoolean(JsonNode obj, String field, boolean fallback) {
    return optionalBoolean(obj, field, fallback, field);
  }

  private static boolean optionalBoolean(JsonNode obj, String field, boolean fallback, String param) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw ApiError.invalid(param, "'" + param + "' must be true or false");
    }
    return n.booleanValue();
  }
}
