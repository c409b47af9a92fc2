package dev.switchyard.simulator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * A one-node engine for the demo and the simulator: an actor system that forms a cluster of itself, with the
 * journal in an embedded H2 file under the state directory ({@code switchyard.simulator.node} holds the
 * settings; the JDBC url is derived from the state directory), the journal tables created if missing.
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
    String url = "jdbc:h2:file:" + stateDir.toAbsolutePath().resolve("journal").toString().replace('\\', '/');
    Config node = config.getConfig("switchyard.simulator.node")
        .withValue("pekko-persistence-jdbc.shared-databases.slick.db.url", ConfigValueFactory.fromAnyRef(url));
    Config full = node.withFallback(config).resolve();
    Duration startTimeout = config.getDuration("switchyard.simulator.node-start-timeout");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard", full);
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      long deadline = System.nanoTime() + startTimeout.toNanos();
      while (cluster.selfMember().status() != MemberStatus.up()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the one-node cluster did not come up within " + startTimeout);
        }
        Thread.sleep(50);
      }
      SchemaUtils.createIfNotExists(system).toCompletableFuture()
          .get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      Engine engine = EngineNode.start(system, setup);
      return new Running() {
        @Override
        public Engine engine() {
          return engine;
        }

        @Override
        public void close() {
          terminate(system, startTimeout);
        }
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate(system, startTimeout);
      throw new IllegalStateException("interrupted while starting the engine", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      terminate(system, startTimeout);
      throw new IllegalStateException("cannot prepare the journal in " + stateDir.toAbsolutePath() + ": "
          + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    } catch (RuntimeException e) {
      terminate(system, startTimeout);
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
