package dev.switchyard.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.switchyard.actors.fleet.BackendFactory;
import dev.switchyard.actors.fleet.FleetConfig;
import dev.switchyard.ops.http.OpenAiBackendFactory;
import dev.switchyard.ops.http.Tracing;
import dev.switchyard.simulator.backend.ReplayBackendFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A fleet configuration file ({@code serve --config FILE}, else the file {@value #ENV} names) and the backend
 * kinds this application ships: {@code openai} (ops) and {@code replay} (simulator).
 */
final class FleetFiles {
  static final String ENV = "SWITCHYARD_CONFIG";

  private FleetFiles() {}

  /** A configuration file as the user wrote it, and its folder (relative paths in it are resolved there). */
  record Loaded(Path path, Config file) {
    Path baseDir() {
      Path parent = path.toAbsolutePath().getParent();
      return parent == null ? Path.of(".") : parent;
    }
  }

  /** The file's contents could not be read; the message names the file and the reason. */
  static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message);
    }
  }

  /** The file {@code flag} names, else the one {@value #ENV} names; empty when neither names one. */
  static Optional<Loaded> read(Path flag, Map<String, String> env) throws Unreadable {
    Path path = flag;
    String source = "--config";
    if (path == null) {
      String fromEnv = env.get(ENV);
      if (fromEnv == null || fromEnv.isBlank()) {
        return Optional.empty();
      }
      path = Path.of(fromEnv);
      source = ENV;
    }
    if (!Files.isRegularFile(path)) {
      throw new Unreadable(source + ": no such file: " + path.toAbsolutePath());
    }
    try {
      return Optional.of(new Loaded(path, ConfigFactory.parseFile(path.toFile(),
          ConfigParseOptions.defaults().setAllowMissing(false))));
    } catch (ConfigException e) {
      throw new Unreadable(source + ": " + e.getMessage());
    }
  }

  /**
   * The replay backend kind for a configuration: one per start, shared by the check and the build, so that a
   * recording several replay models read is loaded once.
   */
  static ReplayBackendFactory replay(Config config, Loaded file) {
    return new ReplayBackendFactory(config.getConfig("switchyard.simulator"), file.baseDir(),
        config.getLong("switchyard.fleet.seed"));
  }

  /** The backend kinds, making workers on {@code system} (null: for checking only). */
  static Map<String, BackendFactory> backends(ActorSystem<?> system, ReplayBackendFactory replay) {
    return backends(system, replay, Tracing.disabled());
  }

  /** The backend kinds, the {@code openai} backends tracing each upstream attempt as {@code tracing} says. */
  static Map<String, BackendFactory> backends(ActorSystem<?> system, ReplayBackendFactory replay, Tracing tracing) {
    return Map.of(OpenAiBackendFactory.KIND, new OpenAiBackendFactory(system, tracing), ReplayBackendFactory.KIND,
        replay);
  }

  /** Runs the fleet check over {@code config} (the whole resolved configuration) and the user's file. */
  static FleetConfig.Checked check(Config config, Loaded file, ReplayBackendFactory replay) {
    return FleetConfig.check(config, file.file(), ConfigFactory.defaultReference(), backends(null, replay),
        file.baseDir());
  }
}
