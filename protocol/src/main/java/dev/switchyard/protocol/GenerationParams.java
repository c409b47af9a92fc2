package dev.switchyard.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a client asked of the generation beyond the messages (OpenAI chat-completion request fields), carried
 * unchanged from the HTTP request to every model call of a query. Null means "not given": the backend's default
 * applies. Arbitrary JSON values (tools, tool_choice, response_format, logit_bias, stop) travel as the compact
 * JSON text the client sent (key order kept: a JSON schema's property order is the order a model writes them),
 * so no JSON tree crosses nodes or enters the journal. The HTTP layer has validated every value.
 *
 * <p>Journaled inside {@link Query} (Jackson): every component is nullable, and a query journaled before this
 * record existed reads as {@link #NONE}.
 *
 * @param tools JSON array of tool definitions ({@code tools})
 * @param toolChoice JSON string or object ({@code tool_choice})
 * @param stop JSON string or array of strings ({@code stop})
 * @param logitBias JSON object from token id to bias ({@code logit_bias})
 * @param responseFormat JSON object ({@code response_format})
 * @param user the end user's id ({@code user})
 */
public record GenerationParams(
    String tools,
    String toolChoice,
    Boolean parallelToolCalls,
    String responseFormat,
    Double temperature,
    Double topP,
    String stop,
    Long seed,
    Double presencePenalty,
    Double frequencyPenalty,
    String logitBias,
    String user)
    implements CrossNode {
  public static final GenerationParams NONE =
      new GenerationParams(null, null, null, null, null, null, null, null, null, null, null, null);

  /** The OpenAI names of the fields given, in request order of the OpenAI reference. */
  public List<String> fieldsGiven() {
    List<String> given = new ArrayList<>();
    addIf(given, tools, "tools");
    addIf(given, toolChoice, "tool_choice");
    addIf(given, parallelToolCalls, "parallel_tool_calls");
    addIf(given, responseFormat, "response_format");
    addIf(given, temperature, "temperature");
    addIf(given, topP, "top_p");
    addIf(given, stop, "stop");
    addIf(given, seed, "seed");
    addIf(given, presencePenalty, "presence_penalty");
    addIf(given, frequencyPenalty, "frequency_penalty");
    addIf(given, logitBias, "logit_bias");
    addIf(given, user, "user");
    return Collections.unmodifiableList(given);
  }

  private static void addIf(List<String> given, Object value, String name) {
    if (value != null) {
      given.add(name);
    }
  }
}
