package dev.switchyard.simulator.evaluation;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Trains strategies on the train split and reports quality-cost frontiers on the test split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Trains strategies on the train split and reports quality-cost frontiers on the test split.")
public final class EvaluateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new IllegalStateException("SCAFFOLD: EvaluateCommand is implemented by its own slice");
  }
}
