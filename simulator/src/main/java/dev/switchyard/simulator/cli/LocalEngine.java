package dev.switchyard.simulator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A one-node engine for the demo and the simulator: the {@code single-node} deployment profile (a cluster of
 * itself, the journal in embedded H2 under the state directory, tables created if missing) with the
 * simulator's quieter logging ({@code switchyard.simulator.node}) on top.
 */
final class LocalEngine implements EngineLauncher {
  @Override
  public Running start(EngineSetup setup, Path stateDir, Config config) {
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new UncheckedIOException("--state-dir: cannot create " + stateDir.toAbsolutePath() + ": "
          + e.getMessage(), e);
    }
    Config full = NodeConfig.load(
        ConfigFactory.parseMap(Map.of("switchyard.state-dir", stateDir.toAbsolutePath().toString()))
            .withFallback(config.getConfig("switchyard.simulator.node")),
        "single-node");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard", full);
    try {
      Engine engine = EngineNode.start(system, setup);
      Duration stopTimeout = config.getDuration("switchyard.simulator.node-start-timeout");
      return new Running() {
        @Override
        public Engine engine() {
          return engine;
        }

        @Override
        public void close() {
          terminate(system, stopTimeout);
        }
      };
    } catch (RuntimeException e) {
      terminate(system, config.getDuration("switchyard.simulator.node-start-timeout"));
      throw e;
    }
  }

  private static void terminate(ActorSystem<?> system, Duration timeout) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Shutting down: nothing left to do with a system that would not stop in time.
    }
  }

  static Config defaultConfig() {
    return ConfigFactory.load();
  }
}
