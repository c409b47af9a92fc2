package dev.switchyard.simulator.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Runs a workload with chaos injection through the engine against simulated GPU workers. */
@Command(name = "simulate", mixinStandardHelpOptions = true, description = "Runs a workload with chaos injection through the engine against simulated GPU workers.")
public final class SimulateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new IllegalStateException("SCAFFOLD: SimulateCommand is implemented by its own slice");
  }
}
