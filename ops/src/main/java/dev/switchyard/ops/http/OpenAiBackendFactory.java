package dev.switchyard.ops.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.fleet.BackendFactory;
import dev.switchyard.actors.fleet.ConfigProblem;
import dev.switchyard.actors.fleet.ConfigValues;
import dev.switchyard.actors.fleet.ModelSpec;
import dev.switchyard.ops.Secret;
import dev.switchyard.protocol.ModelCard;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * {@code backend = openai}: a model behind one or more OpenAI-compatible servers (vLLM, SGLang, TGI, llama.cpp,
 * Ollama, hosted APIs). Either {@code base-url} (with {@code api-key}, {@code remote-model}) for one endpoint, or
 * {@code endpoints = [{ base-url, api-key, remote-model }, ...]} for replicas, each a worker of the model's pool;
 * {@code connect-timeout}, {@code logprobs}, {@code max-connections} and {@code connection-pools} apply to every
 * endpoint.
 */
public final class OpenAiBackendFactory implements BackendFactory {
  public static final String KIND = "openai";
  private static final Set<String> KEYS = Set.of("base-url", "api-key", "remote-model", "endpoints",
      "connect-timeout", "logprobs", "max-connections", "connection-pools");
  private static final Set<String> ENDPOINT_KEYS = Set.of("base-url", "api-key", "remote-model");

  private final ActorSystem<?> system;
  private final Tracing tracing;

  /** @param system the node's actor system (its HTTP client pools); null to check configurations only */
  public OpenAiBackendFactory(ActorSystem<?> system) {
    this(system, Tracing.disabled());
  }

  /** @param tracing a span per upstream attempt of the backends made, or {@link Tracing#disabled()} */
  public OpenAiBackendFactory(ActorSystem<?> system, Tracing tracing) {
    this.system = system;
    this.tracing = tracing;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> keys() {
    return KEYS;
  }

  @Override
  public List<ConfigProblem> check(String id, String path, Config entry) {
    List<ConfigProblem> out = new ArrayList<>();
    boolean single = entry.hasPath("base-url");
    if (single == entry.hasPath("endpoints")) {
      out.add(new ConfigProblem(path, single ? "give base-url or endpoints, not both"
          : "an openai model needs base-url (e.g. \"http://127.0.0.1:8000/v1\") or endpoints = [{ base-url = ... }]"));
      return out;
    }
    if (single) {
      checkEndpoint(path, entry, out);
    } else {
      try {
        List<? extends Config> endpoints = entry.getConfigList("endpoints");
        if (endpoints.isEmpty()) {
          out.add(new ConfigProblem(path + ".endpoints", "must list at least one endpoint"));
        }
        for (int i = 0; i < endpoints.size(); i++) {
          String at = path + ".endpoints." + i;
          for (String key : endpoints.get(i).root().keySet()) {
            if (!ENDPOINT_KEYS.contains(key)) {
              out.add(new ConfigProblem(at + "." + key, "unknown key; an endpoint has base-url, api-key,"
                  + " remote-model"));
            }
          }
          checkEndpoint(at, endpoints.get(i), out);
        }
      } catch (ConfigException e) {
        out.add(new ConfigProblem(path + ".endpoints", "must be a list of { base-url, api-key, remote-model }"));
      }
    }
    ConfigValues.positiveDuration(entry, "connect-timeout", path, out);
    ConfigValues.flag(entry, "logprobs", path, out);
    int problemsBefore = out.size();
    int connections = ConfigValues.positiveInt(entry, "max-connections", path, out);
    int pools = ConfigValues.positiveInt(entry, "connection-pools", path, out);
    if (out.size() == problemsBefore && pools > connections) {
      out.add(new ConfigProblem(path + ".connection-pools", "must be at most max-connections (" + connections
          + "), got " + pools));
    }
    return out;
  }

  private static void checkEndpoint(String path, Config endpoint, List<ConfigProblem> out) {
    if (!endpoint.hasPath("base-url") || endpoint.getValue("base-url").valueType() != ConfigValueType.STRING) {
      out.add(new ConfigProblem(path + ".base-url", "missing: the server's OpenAI base URL, e.g."
          + " \"http://127.0.0.1:8000/v1\""));
      return;
    }
    String url = endpoint.getString("base-url");
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        out.add(new ConfigProblem(path + ".base-url", "must be an http(s) URL, got '" + url + "'"));
      }
    } catch (URISyntaxException e) {
      out.add(new ConfigProblem(path + ".base-url", "not a URL: " + e.getMessage()));
    }
    for (String key : List.of("api-key", "remote-model")) {
      if (endpoint.hasPath(key) && endpoint.getValue(key).valueType() != ConfigValueType.STRING) {
        out.add(new ConfigProblem(path + "." + key, "must be a string"));
      }
    }
  }

  @Override
  public List<InferenceBackend> create(ModelSpec spec, ModelCard card) {
    Config entry = spec.entry();
    List<Config> endpoints = entry.hasPath("endpoints")
        ? entry.getConfigList("endpoints").stream().map(c -> (Config) c).toList() : List.of(entry);
    List<InferenceBackend> out = new ArrayList<>();
    for (Config endpoint : endpoints) {
      String key = endpoint.hasPath("api-key") ? endpoint.getString("api-key") : "";
      OpenAiBackendSettings settings = new OpenAiBackendSettings(spec.id(), URI.create(endpoint.getString("base-url")),
          endpoint.hasPath("remote-model") ? endpoint.getString("remote-model") : spec.id(),
          key.isBlank() ? null : Secret.of(key), spec.timeout(), entry.getInt("max-connections"),
          entry.getBoolean("logprobs"), entry.getDuration("connect-timeout"),
          entry.getInt("connection-pools"));
      out.add(new OpenAiCompatibleBackend(system, settings, card, tracing));
    }
    return out;
  }
}
