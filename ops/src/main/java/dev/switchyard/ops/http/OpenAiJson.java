package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.Dimensions;
import java.util.List;

/**
 * Renders API objects in OpenAI's wire shapes (chat.completion, chat.completion.chunk, list of models, error),
 * each extended with a {@code switchyard} object. Built as JSON trees so that fields OpenAI sends as
 * {@code null} (e.g. {@code finish_reason} of a chunk) are present and null, exactly as clients expect.
 */
public final class OpenAiJson {
  private final ObjectMapper mapper;

  public OpenAiJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  public ObjectNode completion(String id, long created, String pipeline, QueryResult result) {
    ObjectNode root = mapper.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion");
    root.put("created", created);
    root.put("model", pipeline);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    ArrayNode toolCalls = toolCalls(result);
    if (result.abstained()) {
      message.putNull("content");
      message.put("refusal", abstainText(result));
    } else {
      if (toolCalls != null && result.answer().isEmpty()) {
        message.putNull("content"); // as OpenAI: a message that only calls tools has no content
      } else {
        message.put("content", result.answer());
      }
      message.putNull("refusal");
      if (toolCalls != null) {
        message.set("tool_calls", toolCalls);
      }
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(result));
    root.set("usage", usage(result));
    root.set("switchyard", summary(result));
    return root;
  }

  /** One streamed event; {@code delta} and {@code finishReason} as in OpenAI's chunk object. */
  public ObjectNode chunk(String id, long created, String pipeline, ObjectNode delta, String finishReason) {
    ObjectNode root = mapper.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion.chunk");
    root.put("created", created);
    root.put("model", pipeline);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return root;
  }

  /** The usage-only chunk OpenAI sends last when {@code stream_options.include_usage} is set. */
  public ObjectNode usageChunk(String id, long created, String pipeline, QueryResult result) {
    ObjectNode root = mapper.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion.chunk");
    root.put("created", created);
    root.put("model", pipeline);
    root.putArray("choices");
    root.set("usage", usage(result));
    return root;
  }

  public ObjectNode delta(String role, String content) {
    ObjectNode d = mapper.createObjectNode();
    if (role != null) {
      d.put("role", role);
    }
    if (content != null) {
      d.put("content", content);
    }
    return d;
  }

  /**
   * Why the answer ended, as its model said ({@code stop}, {@code length}, {@code tool_calls},
   * {@code content_filter}); {@code stop} when the model did not say, the pipeline composed the answer, or it
   * abstained.
   */
  public String finishReason(QueryResult result) {
    return result.answerCall().map(Response::finishReason).orElse("stop");
  }

  /** The answer's tool calls as the model returned them, null when it made none. */
  ArrayNode toolCalls(QueryResult result) {
    String calls = result.answerCall().map(Response::toolCalls).orElse(null);
    if (calls == null) {
      return null;
    }
    try {
      return (ArrayNode) mapper.readTree(calls);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | ClassCastException e) {
      throw new IllegalStateException("a response's tool_calls are not a JSON array", e);
    }
  }

  /**
   * The streamed form of the answer's tool calls: one delta with every call whole, each with its {@code index}
   * as OpenAI's chunks carry it; empty when the answer made none.
   */
  public java.util.Optional<ObjectNode> toolCallsDelta(QueryResult result) {
    ArrayNode calls = toolCalls(result);
    if (calls == null) {
      return java.util.Optional.empty();
    }
    ArrayNode indexed = mapper.createArrayNode();
    for (int i = 0; i < calls.size(); i++) {
      ObjectNode call = mapper.createObjectNode();
      call.put("index", i);
      call.setAll((ObjectNode) calls.get(i));
      indexed.add(call);
    }
    ObjectNode delta = mapper.createObjectNode();
    delta.set("tool_calls", indexed);
    return java.util.Optional.of(delta);
  }

  public ObjectNode step(EpisodeStep step) {
    ObjectNode s = mapper.createObjectNode();
    s.put("round", step.round());
    s.put("stage", step.stage().name().toLowerCase(java.util.Locale.ROOT));
    if (step.modelId() == null) {
      s.putNull("model");
    } else {
      s.put("model", step.modelId());
    }
    s.put("decision", step.decision());
    if (Double.isFinite(step.signal())) {
      s.put("signal", step.signal());
    } else {
      s.putNull("signal");
    }
    return s;
  }

  public ObjectNode usage(QueryResult result) {
    ObjectNode u = mapper.createObjectNode();
    u.put("prompt_tokens", result.inputTokens());
    u.put("completion_tokens", result.outputTokens());
    u.put("total_tokens", result.inputTokens() + result.outputTokens());
    return u;
  }

  /** What the pipeline did: the {@code switchyard} object of responses and of the last streamed chunk. */
  public ObjectNode summary(QueryResult result) {
    ObjectNode s = mapper.createObjectNode();
    s.put("query_id", result.queryId());
    s.put("pipeline", result.pipeline());
    if (result.answerModel() == null) {
      s.putNull("answer_model");
    } else {
      s.put("answer_model", result.answerModel());
    }
    ArrayNode called = s.putArray("models_called");
    result.modelsCalled().forEach(called::add);
    s.put("rounds", result.rounds());
    s.put("cost_usd", result.costUsd());
    s.put("latency_ms", result.latencyMs());
    s.put("abstained", result.abstained());
    if (result.abstained()) {
      s.put("abstain_reason", abstainText(result));
    }
    String note = answerNote(result);
    if (note == null) {
      s.putNull("note");
    } else {
      s.put("note", note);
    }
    return s;
  }

  public ObjectNode error(ApiError e) {
    ObjectNode root = mapper.createObjectNode();
    ObjectNode err = root.putObject("error");
    err.put("message", e.getMessage());
    err.put("type", e.type());
    if (e.param() == null) {
      err.putNull("param");
    } else {
      err.put("param", e.param());
    }
    if (e.code() == null) {
      err.putNull("code");
    } else {
      err.put("code", e.code());
    }
    return root;
  }

  public ObjectNode models(List<PipelineDefinition> pipelines, long created) {
    ObjectNode root = mapper.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (PipelineDefinition p : pipelines) {
      ObjectNode m = data.addObject();
      m.put("id", p.name());
      m.put("object", "model");
      m.put("created", created);
      m.put("owned_by", "switchyard");
      ObjectNode sy = m.putObject("switchyard");
      sy.put("description", p.description() == null ? "" : p.description());
      sy.put("strategy", p.strategy().name());
      sy.put("citation", p.strategy().citation());
      sy.put("adaptation", p.strategy().adaptation());
      sy.put("learned", p.isLearned());
      Dimensions d = p.strategy().dimensions();
      ObjectNode dims = sy.putObject("dimensions");
      dims.put("when", d.when().name().toLowerCase(java.util.Locale.ROOT));
      ArrayNode signals = dims.putArray("signals");
      d.signals().forEach(sig -> signals.add(sig.name().toLowerCase(java.util.Locale.ROOT)));
      dims.put("how", d.how().name().toLowerCase(java.util.Locale.ROOT));
    }
    return root;
  }

  public byte[] bytes(ObjectNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  private static String abstainText(QueryResult result) {
    return result.abstainReason() == null ? "the pipeline abstained" : result.abstainReason();
  }

  /** The backend's remark on the answer that was returned (e.g. a replay used the nearest recorded prompt). */
  static String answerNote(QueryResult result) {
    if (result.episode() == null || result.answerModel() == null) {
      return null;
    }
    String note = null;
    for (Response r : result.episode().calls()) {
      if (r.modelId().equals(result.answerModel()) && r.note() != null) {
        note = r.note();
      }
    }
    return note;
  }
}
