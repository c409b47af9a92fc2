package dev.switchyard.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/**
 * The application's configuration, most specific first: command-line flags, {@code -D} system properties,
 * {@code CONFIG_FORCE_*} environment variables, {@code application.conf} (or {@code -Dconfig.file}), the
 * deployment profile {@code single-node.conf} from cluster-config, then every module's {@code reference.conf}
 * (where {@code ${?VAR}} lines pick up the named environment variables). Resolved once, after layering, so a
 * flag such as {@code --state-dir} also changes the keys that refer to it.
 */
public final class SwitchyardConfig {
  /** The deployment profile `serve` runs with; provided by the cluster-config module. */
  public static final String SINGLE_NODE_PROFILE = "single-node";

  private SwitchyardConfig() {}

  public static Config load(Map<String, ?> flagOverrides) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.parseMap(flagOverrides, "command-line flags")
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.systemEnvironmentOverrides())
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResourcesAnySyntax(SINGLE_NODE_PROFILE))
        .withFallback(ConfigFactory.defaultReferenceUnresolved())
        .resolve();
  }
}
