package dev.switchyard.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The configuration an engine node runs with, most specific first: the caller's overrides (command-line
 * flags, test settings), {@code -D} system properties and {@code CONFIG_FORCE_*} environment variables,
 * the seed nodes {@code SWITCHYARD_SEED_NODES} lists, {@code application.conf}, the deployment profile
 * ({@code single-node}, {@code cluster}, ... from cluster-config; several comma-separated, later over earlier, as
 * in {@code cluster,aeron}; none if null), the engine's Pekko settings ({@code switchyard-node.conf}), then every
 * module's {@code reference.conf}. Resolved once after layering, so an override of e.g.
 * {@code switchyard.state-dir} also moves the keys that refer to it.
 */
public final class NodeConfig {
  public static final String ENGINE_PEKKO_SETTINGS = "switchyard-node";
  /** Comma-separated seed node addresses replacing {@code pekko.cluster.seed-nodes}. */
  public static final String SEED_NODES_VARIABLE = "SWITCHYARD_SEED_NODES";

  private NodeConfig() {}

  public static Config load(Config overrides, String profile) {
    return load(overrides, ConfigFactory.empty(), profile);
  }

  /**
   * @param file a configuration file of the user's ({@code serve --config}), below system properties and the
   *     environment's overrides, above {@code application.conf} and the profile
   */
  public static Config load(Config overrides, Config file, String profile) {
    return load(overrides, file, profile, System.getenv());
  }

  /** @param environment where {@code SWITCHYARD_SEED_NODES} is read (the process's environment, or a test's) */
  public static Config load(Config overrides, Config file, String profile, Map<String, String> environment) {
    ConfigFactory.invalidateCaches();
    Config profiles = ConfigFactory.empty();
    if (profile != null) {
      for (String name : profile.split(",", -1)) {
        Config one = name.isBlank() ? ConfigFactory.empty() : ConfigFactory.parseResourcesAnySyntax(name.strip());
        if (one.isEmpty()) {
          throw new IllegalArgumentException("deployment profile '" + name.strip() + "' not found on the classpath"
              + " (cluster-config's are single-node, cluster, aeron, kubernetes)");
        }
        profiles = one.withFallback(profiles);
      }
    }
    return overrides
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.systemEnvironmentOverrides())
        .withFallback(seedNodes(environment.get(SEED_NODES_VARIABLE)))
        .withFallback(file)
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(profiles)
        .withFallback(ConfigFactory.parseResourcesAnySyntax(ENGINE_PEKKO_SETTINGS))
        .withFallback(ConfigFactory.defaultReferenceUnresolved())
        .resolve();
  }

  /** {@code pekko.cluster.seed-nodes} from the variable's comma-separated list; empty when it is unset. */
  static Config seedNodes(String list) {
    if (list == null) {
      return ConfigFactory.empty();
    }
    List<String> seeds = Arrays.stream(list.split(",")).map(String::strip).filter(a -> !a.isEmpty()).toList();
    for (String seed : seeds) {
      if (!seed.startsWith("pekko://switchyard@") || seed.lastIndexOf(':') < "pekko://switchyard@".length()) {
        throw new IllegalArgumentException(SEED_NODES_VARIABLE + ": '" + seed + "' is not a node address of the form"
            + " pekko://switchyard@HOST:PORT");
      }
    }
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException(SEED_NODES_VARIABLE + " is set but names no address");
    }
    return ConfigFactory.parseMap(Map.of("pekko.cluster.seed-nodes", seeds), SEED_NODES_VARIABLE);
  }

  /** The engine's settings with no profile and no overrides (in-memory journal): what tests start from. */
  public static Config load() {
    return load(ConfigFactory.empty(), null);
  }
}
