package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.PolicySnapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Disjoint LinUCB (Li et al., WWW 2010) over a growing set of arms keyed by model id: arm {@code a} scores
 * {@code theta_a . x + alpha * sqrt(x^T A_a^-1 x)}. An arm never updated scores as a fresh arm
 * ({@code theta = 0}, {@code A = ridge * I}), so a model that joins later is explored without retraining.
 * Not thread-safe: the owning learner synchronises.
 */
final class LinUcbCore {
  private final int d;
  private final double ridge;
  private final double alpha;
  private final Map<String, LinearArm> arms = new TreeMap<>();
  private final LinearArm fresh;

  LinUcbCore(int d, double ridge, double alpha) {
    if (alpha < 0) {
      throw new IllegalArgumentException("LinUCB alpha must be >= 0, got " + alpha);
    }
    this.d = d;
    this.ridge = ridge;
    this.alpha = alpha;
    this.fresh = new LinearArm(d, ridge);
  }

  double ucb(String arm, double[] x) {
    return ucb(arm, LinearArm.Context.of(x));
  }

  /** The score of one arm at a context prepared once for all arms of a decision ({@link LinearArm.Context#of}). */
  double ucb(String arm, LinearArm.Context x) {
    LinearArm a = arms.get(arm);
    return (a != null ? a : fresh).ucb(x, alpha);
  }

  double mean(String arm, double[] x) {
    return arms.getOrDefault(arm, fresh).mean(x);
  }

  void update(String arm, double[] x, double reward, double weight) {
    arms.computeIfAbsent(arm, a -> new LinearArm(d, ridge)).update(x, reward, weight);
  }

  double weight(String arm) {
    LinearArm a = arms.get(arm);
    return a == null ? 0 : a.weight();
  }

  void writeTo(Map<String, double[]> params) {
    arms.forEach((id, arm) -> {
      params.put(Arms.key(id, "A"), arm.aRowMajor());
      params.put(Arms.key(id, "b"), arm.bVector());
      params.put(Arms.key(id, "w"), new double[] {arm.weight()});
    });
  }

  void readFrom(PolicySnapshot snapshot) {
    arms.clear();
    List<String> ids = Arms.armsIn(snapshot);
    for (String id : ids) {
      if (!snapshot.parameters().containsKey(Arms.key(id, "A"))) {
        continue;
      }
      LinearArm arm = new LinearArm(d, ridge);
      arm.load(snapshot.parameter(Arms.key(id, "A")), snapshot.parameter(Arms.key(id, "b")),
          Arms.scalar(snapshot.parameters(), Arms.key(id, "w")));
      arms.put(id, arm);
    }
  }
}
