package dev.switchyard.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The application's configuration: command-line flags over {@link NodeConfig}'s layers with a deployment profile
 * from cluster-config: {@code single-node} (embedded H2 journal) unless {@code serve --profile} or
 * {@code SWITCHYARD_PROFILE} names another, e.g. {@code cluster} (PostgreSQL journal, seed nodes, split brain
 * resolver).
 */
public final class SwitchyardConfig {
  /** The deployment profile `serve` runs with by default; provided by the cluster-config module. */
  public static final String SINGLE_NODE_PROFILE = "single-node";
  /** Names the profile when {@code --profile} does not. */
  public static final String PROFILE_VARIABLE = "SWITCHYARD_PROFILE";

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
    return load(flagOverrides, file, profile(null));
  }

  /** The profile a command runs with: the one given, else {@code SWITCHYARD_PROFILE}'s, else single-node. */
  public static String profile(String given) {
    if (given != null) {
      return given;
    }
    String variable = System.getenv(PROFILE_VARIABLE);
    return variable == null || variable.isBlank() ? SINGLE_NODE_PROFILE : variable;
  }

  /**
   * @param profile deployment profiles, comma-separated, later over earlier ({@code cluster,aeron})
   * @throws IllegalArgumentException for a profile not on the classpath or a malformed SWITCHYARD_SEED_NODES
   */
  public static Config load(Map<String, ?> flagOverrides, Config file, String profile) {
    Config config = NodeConfig.load(ConfigFactory.parseMap(flagOverrides, "command-line flags"), file, profile);
    // Pekko's phase timeout (5 s by default) would otherwise cut the drain short: one setting, the drain deadline.
    Duration drain = config.getDuration("switchyard.http.shutdown-deadline");
    return ConfigFactory.parseMap(Map.of("pekko.coordinated-shutdown.phases.service-requests-done.timeout",
            drain.plus(SHUTDOWN_PHASE_MARGIN).toMillis() + "ms"), "derived from switchyard.http.shutdown-deadline")
        .withFallback(config);
  }
}
