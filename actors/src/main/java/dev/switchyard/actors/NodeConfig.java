package dev.switchyard.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The configuration an engine node runs with, most specific first: the caller's overrides (command-line
 * flags, test settings), {@code -D} system properties and {@code CONFIG_FORCE_*} environment variables,
 * {@code application.conf}, the deployment profile ({@code single-node}, {@code cluster}, ... from
 * cluster-config; none if null), the engine's Pekko settings ({@code switchyard-node.conf}), then every module's
 * {@code reference.conf}. Resolved once after layering, so an override of e.g. {@code switchyard.state-dir}
 * also moves the keys that refer to it.
 */
public final class NodeConfig {
  public static final String ENGINE_PEKKO_SETTINGS = "switchyard-node";

  private NodeConfig() {}

  public static Config load(Config overrides, String profile) {
    return load(overrides, ConfigFactory.empty(), profile);
  }

  /**
   * @param file a configuration file of the user's ({@code serve --config}), below system properties and the
   *     environment's overrides, above {@code application.conf} and the profile
   */
  public static Config load(Config overrides, Config file, String profile) {
    ConfigFactory.invalidateCaches();
    Config profileConfig = profile == null ? ConfigFactory.empty() : ConfigFactory.parseResourcesAnySyntax(profile);
    if (profile != null && profileConfig.isEmpty()) {
      throw new IllegalArgumentException("deployment profile '" + profile + "' not found on the classpath");
    }
    return overrides
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.systemEnvironmentOverrides())
        .withFallback(file)
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(profileConfig)
        .withFallback(ConfigFactory.parseResourcesAnySyntax(ENGINE_PEKKO_SETTINGS))
        .withFallback(ConfigFactory.defaultReferenceUnresolved())
        .resolve();
  }

  /** The engine's settings with no profile and no overrides (in-memory journal): what tests start from. */
  public static Config load() {
    return load(ConfigFactory.empty(), null);
  }
}
