package dev.switchyard.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.simulator.SimulatedFleet;
import dev.switchyard.simulator.SyntheticFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-node launcher forms a cluster of itself and creates the H2 journal under the state directory
 * before handing over to the engine. Until the engine slice lands, {@code EngineNode.start} is a scaffold
 * that throws, and the launcher must then report it and stop its actor system.
 */
class LocalEngineTest {
  @TempDir
  Path stateDir;

  @Test
  void startsAOneNodeClusterWithItsJournalInTheStateDirectory() {
    var data = new SyntheticFleet(1).generate(200, 0.3);
    try (SimulatedFleet.Fleet fleet = SimulatedFleet.build(data, new SimulatedFleet.Options(0, 1, 1, Map.of()),
        ConfigFactory.load())) {
      try (EngineLauncher.Running running = new LocalEngine().start(fleet.setup(), stateDir, ConfigFactory.load())) {
        assertTrue(running.engine().pipelines().size() >= 2);
      }
      assertTrue(Files.exists(stateDir.resolve("journal.mv.db")), "the H2 journal was created in the state dir");
    }
  }
}
