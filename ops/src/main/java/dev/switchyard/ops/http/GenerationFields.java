package dev.switchyard.ops.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.protocol.GenerationParams;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The OpenAI generation fields of a chat completion request, validated as OpenAI's API reference documents them,
 * into the {@link GenerationParams} every model call of the query receives: {@code tools} (1 to 128 function
 * tools with distinct names), {@code tool_choice} ({@code none}, {@code auto}, {@code required} or one of the
 * tools; needs {@code tools}), {@code parallel_tool_calls} (boolean; needs {@code tools}), {@code response_format}
 * ({@code text}, {@code json_object} or a named {@code json_schema}), {@code temperature} 0..2, {@code top_p} 0..1,
 * {@code stop} (a string or 1 to 4 strings), {@code seed} (integer), {@code presence_penalty} and
 * {@code frequency_penalty} -2..2, {@code logit_bias} (token id to -100..100) and {@code user}. Each problem is a
 * 400 naming the field (and the element, e.g. {@code tools[1].function.name}).
 *
 * <p>JSON values travel as the compact text of what the client sent, nothing removed or reordered, so an upstream
 * model receives them unchanged.
 */
final class GenerationFields {
  /** OpenAI's documented limits. */
  static final int MAX_TOOLS = 128;
  static final int MAX_STOP_SEQUENCES = 4;
  /** Function, tool and schema names, as OpenAI requires them. */
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

  private static final ObjectMapper COMPACT = JsonMapper.builder().build();

  private GenerationFields() {}

  static GenerationParams parse(JsonNode root, HttpSettings limits) {
    JsonNode toolsNode = present(root, "tools");
    Set<String> toolNames = toolsNode == null ? Set.of() : toolNames(toolsNode);
    JsonNode toolChoice = present(root, "tool_choice");
    if (toolChoice != null) {
      requireTools(toolsNode, "tool_choice");
      toolChoice(toolChoice, toolNames);
    }
    Boolean parallel = null;
    if (present(root, "parallel_tool_calls") != null) {
      requireTools(toolsNode, "parallel_tool_calls");
      parallel = bool(root.get("parallel_tool_calls"), "parallel_tool_calls");
    }
    JsonNode responseFormat = present(root, "response_format");
    if (responseFormat != null) {
      responseFormat(responseFormat);
    }
    JsonNode stop = present(root, "stop");
    if (stop != null) {
      stop(stop);
    }
    JsonNode logitBias = present(root, "logit_bias");
    if (logitBias != null) {
      logitBias(logitBias);
    }
    String user = null;
    JsonNode userNode = present(root, "user");
    if (userNode != null) {
      if (!userNode.isTextual()) {
        throw ApiError.invalid("user", "'user' must be a string");
      }
      user = userNode.asText();
      if (user.length() > limits.maxUserChars()) {
        throw ApiError.invalid("user", "'user' must be at most " + limits.maxUserChars() + " characters");
      }
    }
    return new GenerationParams(json(toolsNode), json(toolChoice), parallel, json(responseFormat),
        number(root, "temperature", 0, 2), number(root, "top_p", 0, 1), json(stop), seed(root),
        number(root, "presence_penalty", -2, 2), number(root, "frequency_penalty", -2, 2), json(logitBias), user);
  }

  /** Validates a {@code tools} array and returns its function names. */
  private static Set<String> toolNames(JsonNode tools) {
    if (!tools.isArray() || tools.isEmpty() || tools.size() > MAX_TOOLS) {
      throw ApiError.invalid("tools", "'tools' must be an array of 1 to " + MAX_TOOLS + " tools");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tools.size(); i++) {
      String at = "tools[" + i + "]";
      JsonNode tool = tools.get(i);
      if (!tool.isObject() || !"function".equals(tool.path("type").asText(null))) {
        throw ApiError.invalid(at + ".type", "'" + at + "' must be {\"type\": \"function\", \"function\": {...}}"
            + " (the only tool type of chat completions that a pipeline forwards)");
      }
      JsonNode function = tool.get("function");
      if (function == null || !function.isObject()) {
        throw ApiError.invalid(at + ".function", "'" + at + ".function' must be an object with a 'name'");
      }
      String name = name(function.get("name"), at + ".function.name");
      if (!names.add(name)) {
        throw ApiError.invalid(at + ".function.name", "'" + at + ".function.name' repeats the tool name '" + name
            + "'");
      }
      optional(function, "description", at + ".function.description", JsonNode::isTextual, "a string");
      optional(function, "parameters", at + ".function.parameters", JsonNode::isObject, "a JSON Schema object");
      optional(function, "strict", at + ".function.strict", JsonNode::isBoolean, "true or false");
    }
    return names;
  }

  private static void toolChoice(JsonNode choice, Set<String> toolNames) {
    if (choice.isTextual()) {
      if (!Set.of("none", "auto", "required").contains(choice.asText())) {
        throw ApiError.invalid("tool_choice", "'tool_choice' must be \"none\", \"auto\", \"required\" or"
            + " {\"type\": \"function\", \"function\": {\"name\": ...}}");
      }
      return;
    }
    if (!choice.isObject() || !"function".equals(choice.path("type").asText(null))
        || !choice.path("function").isObject()) {
      throw ApiError.invalid("tool_choice", "'tool_choice' must be \"none\", \"auto\", \"required\" or"
          + " {\"type\": \"function\", \"function\": {\"name\": ...}}");
    }
    String name = name(choice.get("function").get("name"), "tool_choice.function.name");
    if (!toolNames.contains(name)) {
      throw ApiError.invalid("tool_choice.function.name", "'tool_choice.function.name' names no tool of 'tools': '"
          + name + "'");
    }
  }

  private static void responseFormat(JsonNode format) {
    String type = format.isObject() ? format.path("type").asText(null) : null;
    if (type == null || !Set.of("text", "json_object", "json_schema").contains(type)) {
      throw ApiError.invalid("response_format.type", "'response_format' must be {\"type\": \"text\"},"
          + " {\"type\": \"json_object\"} or {\"type\": \"json_schema\", \"json_schema\": {\"name\": ..., "
          + "\"schema\": {...}}}");
    }
    if (type.equals("json_schema")) {
      JsonNode schema = format.get("json_schema");
      if (schema == null || !schema.isObject()) {
        throw ApiError.invalid("response_format.json_schema", "'response_format.json_schema' must be an object"
            + " with a 'name'");
      }
      name(schema.get("name"), "response_format.json_schema.name");
      optional(schema, "description", "response_format.json_schema.description", JsonNode::isTextual, "a string");
      optional(schema, "schema", "response_format.json_schema.schema", JsonNode::isObject, "a JSON Schema object");
      optional(schema, "strict", "response_format.json_schema.strict", JsonNode::isBoolean, "true or false");
    }
  }

  private static void stop(JsonNode stop) {
    if (stop.isTextual()) {
      if (stop.asText().isEmpty()) {
        throw ApiError.invalid("stop", "'stop' must not be an empty string");
      }
      return;
    }
    String expected = "'stop' must be a string or an array of 1 to " + MAX_STOP_SEQUENCES + " non-empty strings";
    if (!stop.isArray() || stop.isEmpty() || stop.size() > MAX_STOP_SEQUENCES) {
      throw ApiError.invalid("stop", expected);
    }
    for (JsonNode s : stop) {
      if (!s.isTextual() || s.asText().isEmpty()) {
        throw ApiError.invalid("stop", expected);
      }
    }
  }

  private static void logitBias(JsonNode bias) {
    if (!bias.isObject()) {
      throw ApiError.invalid("logit_bias", "'logit_bias' must be an object from token ids to biases -100..100");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = bias.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "logit_bias." + ApiError.excerpt(e.getKey());
      if (!e.getKey().matches("[0-9]{1,10}")) {
        throw ApiError.invalid(at, "'logit_bias' keys must be token ids (non-negative integers)");
      }
      JsonNode v = e.getValue();
      if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < -100 || v.asDouble() > 100) {
        throw ApiError.invalid(at, "'" + at + "' must be a number from -100 to 100");
      }
    }
  }

  private static Long seed(JsonNode root) {
    JsonNode n = present(root, "seed");
    if (n == null) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw ApiError.invalid("seed", "'seed' must be an integer (64-bit)");
    }
    return n.longValue();
  }

  private static Double number(JsonNode root, String field, double min, double max) {
    JsonNode n = present(root, field);
    if (n == null) {
      return null;
    }
    if (!n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() < min || n.asDouble() > max) {
      throw ApiError.invalid(field, "'" + field + "' must be a number from " + RequestBounds.plain(min) + " to "
          + RequestBounds.plain(max));
    }
    return n.asDouble();
  }

  private static Boolean bool(JsonNode n, String param) {
    if (!n.isBoolean()) {
      throw ApiError.invalid(param, "'" + param + "' must be true or false");
    }
    return n.booleanValue();
  }

  private static String name(JsonNode n, String param) {
    if (n == null || !n.isTextual() || !NAME.matcher(n.asText()).matches()) {
      throw ApiError.invalid(param, "'" + param + "' must be 1 to 64 letters, digits, '_' or '-'");
    }
    return n.asText();
  }

  private static void optional(JsonNode obj, String field, String param,
      java.util.function.Predicate<JsonNode> valid, String expected) {
    JsonNode n = obj.get(field);
    if (n != null && !n.isNull() && !valid.test(n)) {
      throw ApiError.invalid(param, "'" + param + "' must be " + expected);
    }
  }

  private static void requireTools(JsonNode tools, String field) {
    if (tools == null) {
      throw ApiError.invalid(field, "'" + field + "' is only allowed when 'tools' are given");
    }
  }

  /** The field's value, null when absent or JSON null (both mean "not given", as in OpenAI's API). */
  private static JsonNode present(JsonNode root, String field) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? null : n;
  }

  /** The compact JSON text of a validated value, null for none. */
  static String json(JsonNode value) {
    if (value == null) {
      return null;
    }
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a parsed JSON value", e);
    }
  }
}
