package dev.switchyard.actors.learn;

import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;

/**
 * Where a pipeline's newest {@link PolicyPublished} lives in the cluster: one Distributed Data register per learned
 * pipeline, written by its learner singleton and replicated to every node, where the {@link PolicyBoard}
 * subscribes to it. A node that joins late, or whose node missed a write, gets the value by gossip; a topic gave
 * it only the publications sent after it subscribed.
 *
 * <p>The register's "timestamp" is the publication's version order ({@link #order}), not the wall clock: the
 * value with the newer acting version (then the newer candidate) wins a merge, so the writes of two learner
 * incarnations during a hand-over, or a write delayed in flight, never move a node back to an older policy.
 */
public final class PolicyRegister {
  private static final long MAX_VERSION = Integer.MAX_VALUE;

  /** Orders the register's values by version; a second write of the same versions keeps the first's order. */
  static final LWWRegister.Clock<PolicyPublished> CLOCK = (currentTimestamp, value) -> order(value);

  private PolicyRegister() {}

  public static Key<LWWRegister<PolicyPublished>> key(String pipeline) {
    return LWWRegisterKey.create("policy|" + pipeline);
  }

  /** The register holding {@code publication}, to be merged into the replicated one. */
  static LWWRegister<PolicyPublished> of(SelfUniqueAddress self, PolicyPublished publication) {
    return LWWRegister.create(self, publication, CLOCK);
  }

  /**
   * The register with {@code publication} as its value, unless it already holds that version or a newer one
   * (a write of a learner incarnation that a newer one has overtaken): then unchanged, as a merge would keep it.
   */
  static LWWRegister<PolicyPublished> updated(LWWRegister<PolicyPublished> register, SelfUniqueAddress self,
      PolicyPublished publication) {
    return order(publication) <= register.timestamp() ? register : register.withValue(self, publication, CLOCK);
  }

  /** (acting version, candidate version) as one number that orders publications as the learner made them. */
  static long order(PolicyPublished p) {
    long active = p.active().version();
    long candidate = p.candidate() == null ? 0 : p.candidate().version();
    if (active < 0 || active > MAX_VERSION || candidate < 0 || candidate > MAX_VERSION) {
      throw new IllegalArgumentException("policy versions out of range: active " + active + ", candidate "
          + candidate);
    }
    return (active << 31) | candidate;
  }
}
