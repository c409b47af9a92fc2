package dev.switchyard.actors.fleet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One model of the fleet, from {@code switchyard.models.<id>} over {@code switchyard.fleet.model-defaults}.
 *
 * @param backend the {@link BackendFactory#kind()} that makes its workers
 * @param inputUsdPerMTok USD per million input tokens (a call costs the upstream's usage times these)
 * @param concurrency calls one endpoint serves at once
 * @param maxQueue calls that may wait for a free endpoint
 * @param timeout a call unanswered after this long fails with TIMEOUT
 * @param firstTokenTimeout a streamed call without its first token after this long fails with TIMEOUT
 * @param joulesPerToken energy estimate per token, 0 where unknown
 * @param recordedAs this model's id in recorded-outcomes files, so that a policy fitted on recorded data routes
 *     to it; null when it has none
 * @param entry the whole entry, for the backend's own keys
 */
public record ModelSpec(String id, String backend, double inputUsdPerMTok, double outputUsdPerMTok,
    int contextWindow, int concurrency, int maxQueue, Duration timeout, Duration firstTokenTimeout,
    String description, List<String> tags,
    double joulesPerToken, String recordedAs, Config entry) {
  /** The keys every model entry may have, whatever its backend. */
  public static final Set<String> COMMON_KEYS = Set.of("backend", "price", "context-window", "concurrency",
      "max-queue", "timeout", "first-token-timeout", "description", "tags", "joules-per-token", "recorded-as");
  private static final Set<String> PRICE_KEYS = Set.of("input-per-mtok", "output-per-mtok");

  public ModelSpec {
    Objects.requireNonNull(id, "id");
    tags = List.copyOf(tags);
  }

  /** The entry's common keys, or null with the problems added to {@code out}. */
  static ModelSpec parse(String id, Config entry, List<ConfigProblem> out) {
    String path = "switchyard.models." + quoted(id);
    int before = out.size();
    if (!entry.hasPath("price")) {
      out.add(new ConfigProblem(path + ".price", "a model needs a price: price { input-per-mtok = ...,"
          + " output-per-mtok = ... } in USD per million tokens (0 for a model that costs nothing per call)"));
    } else {
      KnownKeys.check(path + ".price", entry.getConfig("price"), PRICE_KEYS, out);
    }
    double in = ConfigValues.nonNegative(entry, "price.input-per-mtok", path, out);
    double outPrice = ConfigValues.nonNegative(entry, "price.output-per-mtok", path, out);
    int contextWindow = ConfigValues.positiveInt(entry, "context-window", path, out);
    int concurrency = ConfigValues.positiveInt(entry, "concurrency", path, out);
    int maxQueue = ConfigValues.nonNegativeInt(entry, "max-queue", path, out);
    Duration timeout = ConfigValues.positiveDuration(entry, "timeout", path, out);
    Duration firstToken = ConfigValues.positiveDuration(entry, "first-token-timeout", path, out);
    double joules = ConfigValues.nonNegative(entry, "joules-per-token", path, out);
    String description = ConfigValues.string(entry, "description", path, out);
    String recordedAs = entry.hasPath("recorded-as") ? ConfigValues.string(entry, "recorded-as", path, out) : null;
    List<String> tags = List.of();
    try {
      tags = entry.getStringList("tags");
    } catch (ConfigException e) {
      out.add(new ConfigProblem(path + ".tags", "must be a list of strings"));
    }
    String backend = ConfigValues.string(entry, "backend", path, out);
    if (out.size() > before) {
      return null;
    }
    return new ModelSpec(id, backend, in, outPrice, contextWindow, concurrency, maxQueue, timeout, firstToken,
        description,
        tags, joules, recordedAs, entry);
  }

  /** The price of a call with these token counts. */
  public double priceUsd(int inputTokens, int outputTokens) {
    return (inputTokens * inputUsdPerMTok + outputTokens * outputUsdPerMTok) / 1_000_000.0;
  }

  /** A key quoted for a path when it holds characters HOCON would split on (as in {@code "org/model"}). */
  static String quoted(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
  }
}
