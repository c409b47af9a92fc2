package dev.switchyard.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

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

  /**
   * A short identity of the parameters (the first 12 hex digits of a SHA-256 over their names, in order, and
   * values): two snapshots with the same one hold the same learned state, whichever node or incarnation took them.
   */
  public String parametersFingerprint() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      ByteBuffer bits = ByteBuffer.allocate(Double.BYTES);
      for (String name : new TreeSet<>(parameters.keySet())) {
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        for (double v : parameters.get(name)) {
          digest.update(bits.clear().putDouble(v).array());
        }
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  public double[] parameter(String name) {
    double[] p = parameters.get(name);
    if (p == null) {
      throw new IllegalArgumentException("policy " + policy + " v" + version + " has no parameter '" + name + "'");
    }
    return p;
  }
}
