package dev.switchyard.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import java.util.Map;

/**
 * The application's configuration: command-line flags over {@link NodeConfig}'s layers with the
 * {@code single-node} deployment profile (embedded H2 journal) from cluster-config.
 */
public final class SwitchyardConfig {
  /** The deployment profile `serve` runs with; provided by the cluster-config module. */
  public static final String SINGLE_NODE_PROFILE = "single-node";

  private SwitchyardConfig() {}

  public static Config load(Map<String, ?> flagOverrides) {
    return NodeConfig.load(ConfigFactory.parseMap(flagOverrides, "command-line flags"), SINGLE_NODE_PROFILE);
  }
}
