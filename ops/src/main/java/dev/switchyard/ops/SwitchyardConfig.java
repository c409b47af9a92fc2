package dev.switchyard.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The application's configuration: command-line flags over {@link NodeConfig}'s layers with the
 * {@code single-node} deployment profile (embedded H2 journal) from cluster-config.
 */
public final class SwitchyardConfig {
  /** The deployment profile `serve` runs with; provided by the cluster-config module. */
  public static final String SINGLE_NODE_PROFILE = "single-node";

  private SwitchyardConfig() {}

  /**
   * Time the {@code service-requests-done} shutdown phase gets beyond the HTTP drain deadline: for the requests
   * still open at the deadline to be answered 503 and their connections closed.
   */
  static final Duration SHUTDOWN_PHASE_MARGIN = Duration.ofSeconds(3);

  public static Config load(Map<String, ?> flagOverrides) {
    return load(flagOverrides, ConfigFactory.empty());
  }

  /** @param file the user's configuration file ({@code --config}), below flags, -D and the environment */
  public static Config load(Map<String, ?> flagOverrides, Config file) {
    Config config = NodeConfig.load(ConfigFactory.parseMap(flagOverrides, "command-line flags"), file,
        SINGLE_NODE_PROFILE);
    // Pekko's phase timeout (5 s by default) would otherwise cut the drain short: one setting, the drain deadline.
    Duration drain = config.getDuration("switchyard.http.shutdown-deadline");
    return ConfigFactory.parseMap(Map.of("pekko.coordinated-shutdown.phases.service-requests-done.timeout",
            drain.plus(SHUTDOWN_PHASE_MARGIN).toMillis() + "ms"), "derived from switchyard.http.shutdown-deadline")
        .withFallback(config);
  }
}
