package dev.switchyard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicySnapshotTest {
  @Test
  void theParametersFingerprintDependsOnTheLearnedStateOnly() {
    Map<String, double[]> params = new LinkedHashMap<>();
    params.put("pulls", new double[] {3, 4});
    params.put("reward_sums", new double[] {1.5, 2});
    Map<String, double[]> reordered = new LinkedHashMap<>();
    reordered.put("reward_sums", new double[] {1.5, 2});
    reordered.put("pulls", new double[] {3, 4});
    String fingerprint = new PolicySnapshot("p", 7, 7, params, 1_000).parametersFingerprint();
    assertEquals(12, fingerprint.length());
    assertEquals(fingerprint, new PolicySnapshot("p", 9, 7, reordered, 2_000).parametersFingerprint(),
        "another version, time or map order of the same state");
    assertNotEquals(fingerprint, new PolicySnapshot("p", 7, 7, Map.of("pulls", new double[] {3, 4},
        "reward_sums", new double[] {1.5, 2.0000001}), 1_000).parametersFingerprint());
    assertNotEquals(fingerprint, new PolicySnapshot("p", 7, 7, Map.of("pulls", new double[] {3, 4, 1.5},
        "reward_sums", new double[] {2}), 1_000).parametersFingerprint(), "names delimit the values");
  }
}
