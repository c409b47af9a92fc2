package dev.switchyard.simulator.cli;

import picocli.CommandLine.Option;

/**
 * {@code --seed N}: every command that draws at random draws from one seed, so a run replays exactly. Each command
 * keeps its own default ({@link #orElse}); the help names them all.
 */
public final class SeedOption {
  @Option(names = "--seed", paramLabel = "N", description = "Seed of every random draw of the run (sample, split, "
      + "exploration, arrivals, latency noise, faults); the same seed replays the run. Default: 1 for evaluate and "
      + "train, 7 for bench learning, switchyard.simulator.<demo|simulate>.seed (42) for demo and simulate.")
  Long seed;

  /** The seed given, else the command's default. */
  public long orElse(long commandDefault) {
    return seed != null ? seed : commandDefault;
  }
}
