package dev.switchyard.ops.http;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The span attributes Switchyard sets: OpenTelemetry's semantic conventions for HTTP and for generative AI
 * (gen_ai.*, as of semconv 1.37: {@code gen_ai.provider.name}, with the older {@code gen_ai.system} beside it for
 * back ends that still read that), and Switchyard's own under {@code switchyard.*}. Named here once, as strings:
 * the GenAI conventions are only in the incubating semconv artifact.
 */
final class TraceAttributes {
  static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> GEN_AI_PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> GEN_AI_SYSTEM = AttributeKey.stringKey("gen_ai.system");
  static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<Long> GEN_AI_REQUEST_MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<List<String>> GEN_AI_RESPONSE_FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  /** The operation of every chat completion, request or upstream attempt. */
  static final String CHAT = "chat";
  /** The API an {@link OpenAiCompatibleBackend} speaks (the conventions' well-known value). */
  static final String OPENAI = "openai";

  static final AttributeKey<String> PIPELINE = AttributeKey.stringKey("switchyard.pipeline");
  static final AttributeKey<String> QUERY_ID = AttributeKey.stringKey("switchyard.query.id");
  static final AttributeKey<String> ANSWER_MODEL = AttributeKey.stringKey("switchyard.answer.model");
  static final AttributeKey<Long> ROUNDS = AttributeKey.longKey("switchyard.rounds");
  static final AttributeKey<Double> COST_USD = AttributeKey.doubleKey("switchyard.cost.usd");
  static final AttributeKey<Boolean> ABSTAINED = AttributeKey.booleanKey("switchyard.abstained");
  static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("switchyard.stream");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("switchyard.model");
  static final AttributeKey<String> ATTEMPT_ID = AttributeKey.stringKey("switchyard.attempt.id");

  private TraceAttributes() {}
}
