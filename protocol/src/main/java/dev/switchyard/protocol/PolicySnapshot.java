package dev.switchyard.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * A learned policy's parameters at one version, published by its learner singleton to every node. Readers
 * keep the highest version they have seen; a snapshot is immutable once published.
 *
 * @param policy the policy's name, e.g. {@code switchyard/bandit}
 * @param episodes how many episodes the learner had consumed when it took this snapshot
 * @param parameters named parameter arrays (arm statistics, weight vectors, matrices row-major)
 */
public record PolicySnapshot(
    String policy, long version, long episodes, Map<String, double[]> parameters, long createdAtMillis)
    implements CrossNode {
  public PolicySnapshot {
    Objects.requireNonNull(policy, "policy");
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  public double[] parameter(String name) {
    double[] p = parameters.get(name);
    if (p == null) {
      throw new IllegalArgumentException("policy " + policy + " v" + version + " has no parameter '" + name + "'");
    }
    return p;
  }
}
