package dev.switchyard.simulator.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Replays recorded queries through two pipelines on a one-node engine and prints quality, cost and latency tables. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Replays recorded queries through two pipelines on a one-node engine and prints quality, cost and latency tables.")
public final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new IllegalStateException("SCAFFOLD: DemoCommand is implemented by its own slice");
  }
}
