package dev.switchyard.simulator.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir DIR}: where a command's one-node engine keeps its journal and snapshots (embedded H2). */
public final class StateDirOption {
  @Option(names = "--state-dir", paramLabel = "DIR", description = "Directory of the node's state (journal, "
      + "snapshots). Default: switchyard.state-dir for serve, switchyard.simulator.<demo|simulate>.state-dir for "
      + "demo and simulate (./var).")
  Path stateDir;

  /** The directory given, null when the flag was not. */
  public Path given() {
    return stateDir;
  }
}
