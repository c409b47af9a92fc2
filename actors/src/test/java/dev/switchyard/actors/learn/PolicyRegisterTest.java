package dev.switchyard.actors.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.PolicySnapshot;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.junit.jupiter.api.Test;

/** The replicated register a learner publishes to: newer versions win, whatever order writes and merges come in. */
class PolicyRegisterTest {
  private static final SelfUniqueAddress NODE_A = node("a", 1);
  private static final SelfUniqueAddress NODE_B = node("b", 2);

  private static SelfUniqueAddress node(String host, long uid) {
    return new SelfUniqueAddress(new UniqueAddress(new Address("pekko", "switchyard", host, 25520), uid));
  }

  private static PolicySnapshot v(long version) {
    return new PolicySnapshot("ucb1", version, version, Map.of("w", new double[] {version}), version);
  }

  private static PolicyPublished published(long active, long candidate) {
    return new PolicyPublished("p", v(active), candidate == 0 ? null : v(candidate));
  }

  @Test
  void aNewerActingVersionWinsAMergeInEitherOrder() {
    LWWRegister<PolicyPublished> older = PolicyRegister.of(NODE_A, published(4, 0));
    LWWRegister<PolicyPublished> newer = PolicyRegister.of(NODE_B, published(5, 0));
    assertEquals(5, older.merge(newer).getValue().active().version());
    assertEquals(5, newer.merge(older).getValue().active().version());
  }

  @Test
  void atTheSameActingVersionTheNewerCandidateWins() {
    LWWRegister<PolicyPublished> a = PolicyRegister.of(NODE_A, published(3, 7));
    LWWRegister<PolicyPublished> b = PolicyRegister.of(NODE_B, published(3, 8));
    assertEquals(8, a.merge(b).getValue().candidate().version());
    assertEquals(8, b.merge(a).getValue().candidate().version());
    assertEquals(4, PolicyRegister.of(NODE_A, published(4, 0)).merge(b).getValue().active().version(),
        "a promotion (acting 4, no candidate) is newer than any candidate of acting 3");
  }

  @Test
  void anOvertakenWriteLeavesTheRegisterAsItIs() {
    LWWRegister<PolicyPublished> register = PolicyRegister.of(NODE_B, published(9, 0));
    assertSame(register, PolicyRegister.updated(register, NODE_A, published(8, 0)),
        "a learner incarnation that a newer one overtook must not move nodes back");
    LWWRegister<PolicyPublished> next = PolicyRegister.updated(register, NODE_A, published(10, 0));
    assertEquals(10, next.getValue().active().version());
    assertTrue(next.timestamp() > register.timestamp());
  }

  @Test
  void versionsBeyondTheOrderingRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> PolicyRegister.order(published((1L << 31) + 1, 0)));
  }
}
