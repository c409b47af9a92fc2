package dev.switchyard.ops.http;

import com.typesafe.config.Config;
import dev.switchyard.ops.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One OpenAI-compatible endpoint serving one model (an entry of {@code switchyard.openai-backends}).
 *
 * @param modelId the engine's model id (the model card it serves)
 * @param baseUrl the OpenAI SDK's base URL, e.g. {@code http://127.0.0.1:8000/v1} (vLLM) or
 *     {@code https://api.openai.com/v1}; requests go to {@code <baseUrl>/chat/completions}
 * @param remoteModel the {@code model} field sent upstream
 * @param apiKey sent as {@code Authorization: Bearer}; null to send none
 * @param logprobs ask for token log-probabilities (their mean becomes the response's confidence)
 */
public record OpenAiBackendSettings(String modelId, URI baseUrl, String remoteModel, Secret apiKey,
    Duration requestTimeout, int maxConnections, boolean logprobs) {

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
    if (maxConnections < 1) {
      throw new IllegalArgumentException("backend " + modelId + ": max-connections must be at least 1, got "
          + maxConnections);
    }
  }

  public URI completionsUri() {
    String base = baseUrl.toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions");
  }

  /** Every entry of {@code switchyard.openai-backends}, each over {@code switchyard.openai-backend-defaults}. */
  public static List<OpenAiBackendSettings> allFromConfig(Config root) {
    Config defaults = root.getConfig("switchyard.openai-backend-defaults");
    return root.getConfigList("switchyard.openai-backends").stream()
        .map(entry -> fromConfig(entry.withFallback(defaults)))
        .toList();
  }

  static OpenAiBackendSettings fromConfig(Config c) {
    if (!c.hasPath("model") || !c.hasPath("base-url")) {
      throw new IllegalArgumentException("each switchyard.openai-backends entry needs 'model' and 'base-url'");
    }
    String key = c.hasPath("api-key") ? c.getString("api-key") : "";
    return new OpenAiBackendSettings(
        c.getString("model"),
        URI.create(c.getString("base-url")),
        c.getString("remote-model"),
        key.isBlank() ? null : Secret.of(key),
        c.getDuration("request-timeout"),
        c.getInt("max-connections"),
        c.getBoolean("logprobs"));
  }
}
