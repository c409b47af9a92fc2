package dev.switchyard.simulator.cli;

import com.typesafe.config.Config;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineSetup;
import java.nio.file.Path;

/** Starts an engine for a command; tests substitute one that needs no actor system. */
@FunctionalInterface
interface EngineLauncher {
  /** A started engine; closing it stops it and everything it started. */
  interface Running extends AutoCloseable {
    Engine engine();

    @Override
    void close();
  }

  Running start(EngineSetup setup, Path stateDir, Config config);
}
