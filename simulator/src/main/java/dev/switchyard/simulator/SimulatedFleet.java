package dev.switchyard.simulator;

import dev.switchyard.actors.EngineSetup;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.Map;

/**
 * A simulated fleet for one node: a replaying backend per model replica and the standard pipelines
 * ({@code switchyard/cascade}, {@code switchyard/bandit}, ...) trained on the data's train split.
 */
public final class SimulatedFleet {
  private SimulatedFleet() {}

  /**
   * @param latencyScale multiplies recorded latencies (0 = as fast as possible)
   * @param replicasPerModel workers per model pool
   * @param faults fault persona per model id (e.g. {@code flaky-50}); models not named are healthy
   */
  public record Options(double latencyScale, long seed, int replicasPerModel, Map<String, String> faults) {}

  public static EngineSetup setup(RecordedDataset data, Options options) {
    throw new IllegalStateException("SCAFFOLD: SimulatedFleet.setup is implemented by the simulator slice");
  }
}
