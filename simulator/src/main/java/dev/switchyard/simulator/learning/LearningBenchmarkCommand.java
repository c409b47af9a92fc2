package dev.switchyard.simulator.learning;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Online-learning, multi-round and multi-step benchmarks on recorded outcomes. */
@Command(name = "learning", mixinStandardHelpOptions = true, description = "Online-learning, multi-round and multi-step benchmarks on recorded outcomes.")
public final class LearningBenchmarkCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new IllegalStateException("SCAFFOLD: LearningBenchmarkCommand is implemented by its own slice");
  }
}
