package dev.switchyard.ops.http;

import dev.switchyard.ops.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One OpenAI-compatible endpoint serving one model (an endpoint of a {@code switchyard.models.<id>} entry with
 * {@code backend = openai}; see {@link OpenAiBackendFactory}).
 *
 * @param modelId the engine's model id (the model card it serves)
 * @param baseUrl the OpenAI SDK's base URL, e.g. {@code http://127.0.0.1:8000/v1} (vLLM) or
 *     {@code https://api.openai.com/v1}; requests go to {@code <baseUrl>/chat/completions}
 * @param remoteModel the {@code model} field sent upstream
 * @param apiKey sent as {@code Authorization: Bearer}; null to send none
 * @param requestTimeout a call unanswered after this long fails with TIMEOUT
 * @param logprobs ask for token log-probabilities (their mean becomes the response's confidence)
 * @param maxConnections connections to the endpoint in all, shared out among its connection pools
 * @param connectTimeout a connection not established after this long fails the call (a server that is down)
 * @param connectionPools connection pools to the endpoint, each a stream of its own (one actor): one pool is one
 *     actor every call of the endpoint passes through, which saturated a single model before two (issue 11)
 */
public record OpenAiBackendSettings(String modelId, URI baseUrl, String remoteModel, Secret apiKey,
    Duration requestTimeout, int maxConnections, boolean logprobs, Duration connectTimeout, int connectionPools) {

  /** With one connection pool. */
  public OpenAiBackendSettings(String modelId, URI baseUrl, String remoteModel, Secret apiKey,
      Duration requestTimeout, int maxConnections, boolean logprobs, Duration connectTimeout) {
    this(modelId, baseUrl, remoteModel, apiKey, requestTimeout, maxConnections, logprobs, connectTimeout, 1);
  }

  /** With Pekko HTTP's default connecting timeout (10 s). */
  public OpenAiBackendSettings(String modelId, URI baseUrl, String remoteModel, Secret apiKey,
      Duration requestTimeout, int maxConnections, boolean logprobs) {
    this(modelId, baseUrl, remoteModel, apiKey, requestTimeout, maxConnections, logprobs, Duration.ofSeconds(10));
  }

  public OpenAiBackendSettings {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(baseUrl, "baseUrl");
    String scheme = baseUrl.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) || baseUrl.getHost() == null) {
      throw new IllegalArgumentException("backend " + modelId + ": base-url must be an http(s) URL, got " + baseUrl);
    }
    remoteModel = remoteModel == null || remoteModel.isBlank() ? modelId : remoteModel;
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("backend " + modelId + ": request-timeout must be positive");
    }
    if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("backend " + modelId + ": connect-timeout must be positive");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("backend " + modelId + ": max-connections must be at least 1, got "
          + maxConnections);
    }
    if (connectionPools < 1 || connectionPools > maxConnections) {
      throw new IllegalArgumentException("backend " + modelId + ": connection-pools must be between 1 and"
          + " max-connections (" + maxConnections + "), got " + connectionPools);
    }
  }

  /** The connections of pool {@code index}: max-connections shared out, the first pools taking the remainder. */
  public int connectionsOfPool(int index) {
    return maxConnections / connectionPools + (index < maxConnections % connectionPools ? 1 : 0);
  }

  public URI completionsUri() {
    String base = baseUrl.toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions");
  }
}
