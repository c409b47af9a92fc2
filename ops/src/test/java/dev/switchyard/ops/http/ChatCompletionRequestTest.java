package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.GenerationParams;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chat completion body: every OpenAI generation field is accepted as OpenAI documents it and carried unchanged
 * in the query's {@link GenerationParams}; every bad value, and every field the server does not know, is a 400
 * naming the field.
 */
class ChatCompletionRequestTest {
  private static final HttpSettings SETTINGS = HttpSettings.fromConfig(ConfigFactory.load());
  private static final ObjectMapper MAPPER = ChatCompletionRequest.mapper(SETTINGS);
  private static final String USER = "{\"role\":\"user\",\"content\":\"Weather in Paris?\"}";
  private static final String TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
      + "\"description\":\"Current weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
      + "{\"type\":\"string\"}},\"required\":[\"city\"]},\"strict\":true}}";

  private static ChatCompletionRequest parse(String extraFields) {
    return parse("[" + USER + "]", extraFields);
  }

  private static ChatCompletionRequest parse(String messages, String extraFields) {
    String body = "{\"model\":\"switchyard/cascade\",\"messages\":" + messages
        + (extraFields.isEmpty() ? "" : "," + extraFields) + "}";
    return ChatCompletionRequest.parse(body.getBytes(StandardCharsets.UTF_8), MAPPER, SETTINGS);
  }

  private static ApiError refused(String messages, String extraFields) {
    return assertThrows(ApiError.class, () -> parse(messages, extraFields), extraFields);
  }

  @Test
  void everyGenerationFieldIsCarriedAsSent() {
    ChatCompletionRequest req = parse("\"tools\":[" + TOOL + "],"
        + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
        + "\"parallel_tool_calls\":false,"
        + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"weather\",\"strict\":true,"
        + "\"schema\":{\"type\":\"object\",\"properties\":{\"z\":{\"type\":\"number\"},\"a\":{\"type\":\"string\"}}}}},"
        + "\"temperature\":0.7,\"top_p\":0.9,\"stop\":[\"END\",\"\\n\\n\"],\"seed\":-42,"
        + "\"presence_penalty\":-2,\"frequency_penalty\":1.5,\"logit_bias\":{\"50256\":-100,\"15\":2.5},"
        + "\"user\":\"alice\",\"max_completion_tokens\":128,\"logprobs\":false,\"top_logprobs\":null");
    GenerationParams p = req.params();

    assertEquals("[" + TOOL + "]", p.tools(), "tools travel as the compact JSON sent");
    assertEquals("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}", p.toolChoice());
    assertEquals(false, p.parallelToolCalls());
    assertEquals("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"weather\",\"strict\":true,\"schema\":"
        + "{\"type\":\"object\",\"properties\":{\"z\":{\"type\":\"number\"},\"a\":{\"type\":\"string\"}}}}}",
        p.responseFormat(), "a schema keeps its property order");
    assertEquals(0.7, p.temperature());
    assertEquals(0.9, p.topP());
    assertEquals("[\"END\",\"\\n\\n\"]", p.stop());
    assertEquals(-42L, p.seed());
    assertEquals(-2.0, p.presencePenalty());
    assertEquals(1.5, p.frequencyPenalty());
    assertEquals("{\"50256\":-100,\"15\":2.5}", p.logitBias());
    assertEquals("alice", p.user());
    assertEquals("alice", req.user());
    assertEquals(128, req.maxTokens());
    assertEquals(List.of("tools", "tool_choice", "parallel_tool_calls", "response_format", "temperature", "top_p",
        "stop", "seed", "presence_penalty", "frequency_penalty", "logit_bias", "user"), p.fieldsGiven());
  }

  @Test
  void absentOrNullFieldsAreNotGiven() {
    assertEquals(GenerationParams.NONE, parse("").params());
    assertEquals(GenerationParams.NONE, parse("\"temperature\":null,\"tools\":null,\"stop\":null,\"seed\":null,"
        + "\"user\":null").params());
  }

  @Test
  void shorterFormsAreAcceptedToo() {
    GenerationParams p = parse("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
        + "\"tool_choice\":\"required\",\"stop\":\"END\",\"response_format\":{\"type\":\"json_object\"},"
        + "\"temperature\":0,\"top_p\":1").params();

    assertEquals("\"required\"", p.toolChoice());
    assertEquals("\"END\"", p.stop(), "a single stop string stays a string");
    assertEquals("{\"type\":\"json_object\"}", p.responseFormat());
    assertEquals(0.0, p.temperature());
    for (String choice : List.of("none", "auto")) {
      assertEquals("\"" + choice + "\"", parse("\"tools\":[" + TOOL + "],\"tool_choice\":\"" + choice + "\"")
          .params().toolChoice());
    }
  }

  @Test
  void eachBadValueIsRefusedNamingTheField() {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("\"temperature\":2.01", "temperature");
    bad.put("\"temperature\":-0.1", "temperature");
    bad.put("\"temperature\":\"0.5\"", "temperature");
    bad.put("\"top_p\":1.5", "top_p");
    bad.put("\"presence_penalty\":-2.5", "presence_penalty");
    bad.put("\"frequency_penalty\":3", "frequency_penalty");
    bad.put("\"seed\":1.5", "seed");
    bad.put("\"seed\":9223372036854775808", "seed");
    bad.put("\"seed\":\"7\"", "seed");
    bad.put("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]", "stop");
    bad.put("\"stop\":[]", "stop");
    bad.put("\"stop\":\"\"", "stop");
    bad.put("\"stop\":[1]", "stop");
    bad.put("\"stop\":{\"a\":1}", "stop");
    bad.put("\"logit_bias\":{\"50256\":-101}", "logit_bias.50256");
    bad.put("\"logit_bias\":{\"token\":1}", "logit_bias.token");
    bad.put("\"logit_bias\":[1]", "logit_bias");
    bad.put("\"user\":7", "user");
    bad.put("\"tools\":[]", "tools");
    bad.put("\"tools\":{}", "tools");
    bad.put("\"tools\":[{\"type\":\"code_interpreter\"}]", "tools[0].type");
    bad.put("\"tools\":[{\"type\":\"function\"}]", "tools[0].function");
    bad.put("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"has space\"}}]", "tools[0].function.name");
    bad.put("\"tools\":[" + TOOL + "," + TOOL + "]", "tools[1].function.name");
    bad.put("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":\"{}\"}}]",
        "tools[0].function.parameters");
    bad.put("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":1}}]",
        "tools[0].function.description");
    bad.put("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":\"yes\"}}]",
        "tools[0].function.strict");
    bad.put("\"tool_choice\":\"auto\"", "tool_choice");
    bad.put("\"tools\":[" + TOOL + "],\"tool_choice\":\"sometimes\"", "tool_choice");
    bad.put("\"tools\":[" + TOOL + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"other\"}}",
        "tool_choice.function.name");
    bad.put("\"parallel_tool_calls\":true", "parallel_tool_calls");
    bad.put("\"tools\":[" + TOOL + "],\"parallel_tool_calls\":\"yes\"", "parallel_tool_calls");
    bad.put("\"response_format\":{\"type\":\"xml\"}", "response_format.type");
    bad.put("\"response_format\":\"json\"", "response_format.type");
    bad.put("\"response_format\":{\"type\":\"json_schema\"}", "response_format.json_schema");
    bad.put("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}",
        "response_format.json_schema.name");
    bad.put("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"s\",\"schema\":[]}}",
        "response_format.json_schema.schema");
    bad.put("\"logprobs\":true", "logprobs");
    bad.put("\"logprobs\":\"no\"", "logprobs");
    bad.put("\"top_logprobs\":3", "top_logprobs");
    bad.put("\"n\":2", "n");
    for (var c : bad.entrySet()) {
      ApiError e = refused("[" + USER + "]", c.getKey());
      assertEquals(400, e.status(), c.getKey());
      assertEquals(c.getValue(), e.param(), c.getKey() + ": " + e.getMessage());
      assertTrue(e.getMessage().contains(c.getValue().replaceAll("\\..*", "").replaceAll("\\[.*", "")),
          c.getKey() + ": the message names the field: " + e.getMessage());
    }
  }

  @Test
  void anUnknownFieldIsRefusedByName() {
    for (String field : List.of("functions", "metadata", "reasoning_effort", "temprature")) {
      ApiError e = refused("[" + USER + "]", "\"" + field + "\":1");
      assertEquals(400, e.status());
      assertEquals(field, e.param());
      assertEquals("unknown_field", e.code());
      assertTrue(e.getMessage().contains("'" + field + "'") && e.getMessage().contains("temperature"),
          "names the field and lists the accepted ones: " + e.getMessage());
    }
    assertEquals("stream_options.include_obfuscation",
        refused("[" + USER + "]", "\"stream_options\":{\"include_obfuscation\":true}").param());
    assertEquals("switchyard.max_cost", refused("[" + USER + "]", "\"switchyard\":{\"max_cost\":1}").param());
    ApiError inMessage = refused("[{\"role\":\"user\",\"content\":\"x\",\"audio\":{}}]", "");
    assertEquals("messages[0].audio", inMessage.param());
    assertEquals("unknown_field", inMessage.code());
  }

  @Test
  void aToolCallingConversationIsCarriedMessageByMessage() {
    String calls = "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]";
    ChatCompletionRequest req = parse("[" + USER + ",{\"role\":\"assistant\",\"content\":null,\"refusal\":null,"
        + "\"tool_calls\":" + calls + "},{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"name\":\"get_weather\","
        + "\"content\":\"18C, sunny\"},{\"role\":\"user\",\"name\":\"alice\",\"content\":\"Thanks\"}]",
        "\"tools\":[" + TOOL + "]");
    List<ChatMessage> m = req.messages();

    assertEquals(new ChatMessage("assistant", "", calls, null, null), m.get(1));
    assertEquals(new ChatMessage("tool", "18C, sunny", null, "call_1", "get_weather"), m.get(2));
    assertEquals("alice", m.get(3).name());
    assertNull(m.get(0).toolCalls());
  }

  @Test
  void malformedToolMessagesAreRefusedNamingTheElement() {
    String call = "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}";
    String assistant = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + call + "]}";
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("[" + USER + ",{\"role\":\"tool\",\"content\":\"x\"}]", "messages[1].tool_call_id");
    bad.put("[" + USER + ",{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"x\"}]",
        "messages[1].tool_call_id");
    bad.put("[" + USER + "," + assistant + ",{\"role\":\"tool\",\"tool_call_id\":\"call_1\"}]",
        "messages[2].content");
    bad.put("[{\"role\":\"user\",\"content\":\"x\",\"tool_calls\":[" + call + "]}]", "messages[0].tool_calls");
    bad.put("[{\"role\":\"user\",\"content\":\"x\",\"tool_call_id\":\"call_1\"}]", "messages[0].tool_call_id");
    bad.put("[" + USER + ",{\"role\":\"assistant\",\"tool_calls\":[]}]", "messages[1].tool_calls");
    bad.put("[" + USER + ",{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
        + "\"function\":{\"name\":\"f\",\"arguments\":{}}}]}]", "messages[1].tool_calls[0]");
    bad.put("[" + USER + ",{\"role\":\"assistant\",\"content\":null,\"refusal\":\"no\"}]", "messages[1].refusal");
    bad.put("[{\"role\":\"user\",\"content\":\"x\",\"name\":\"a b\"}]", "messages[0].name");
    for (var c : bad.entrySet()) {
      ApiError e = refused(c.getKey(), "");
      assertEquals(400, e.status(), c.getKey());
      assertEquals(c.getValue(), e.param(), c.getKey() + ": " + e.getMessage());
    }
  }
}
