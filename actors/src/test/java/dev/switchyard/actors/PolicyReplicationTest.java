package dev.switchyard.actors;

import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import dev.switchyard.actors.learn.PolicyRegister;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.PolicySnapshot;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Policies reach every node through Distributed Data ({@link PolicyRegister}): two ActorSystems in one JVM over
 * Artery tcp, one journal. A node that joins after the learner's last publication still gets that version, with
 * no new episode to make the learner publish again; a topic gave a late subscriber nothing until the next one.
 */
@ExtendWith(LogCapturingExtension.class)
class PolicyReplicationTest {
  @Test
  void aNodeThatJoinsAfterThePublicationReadsTheLatestVersionLocally() throws Exception {
    Config journal = TestJournal.fresh();
    Config first = EngineHarness.config("", journal);
    Config joiner = EngineHarness.config("switchyard.cluster.self-join = off\n", journal);
    EngineHarness a = EngineHarness.start("policies", first, ThreeNodeClusterTest.setup());
    ActorTestKit kitB = ActorTestKit.create("policies", joiner);
    EngineHarness b = null;
    try {
      for (int i = 0; i < 6; i++) {
        a.await(a.engine.answer(query("before-join-" + i, Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      }
      awaitVersion(a, 6);
      PolicySnapshot learned = a.policy("bandit").map(v -> v.active().snapshot(6, 0))
          .orElseThrow();

      Engine engineB = EngineNode.start(kitB.system(), ThreeNodeClusterTest.setup());
      Cluster.get(kitB.system()).manager().tell(Join.create(Cluster.get(a.kit.system()).selfMember().address()));
      b = EngineHarness.wrap(kitB, engineB);
      EngineHarness joined = b;
      b.kit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(300), () -> {
        assertEquals(MemberStatus.up(), Cluster.get(joined.kit.system()).selfMember().status());
        return null;
      });

      awaitVersion(b, 6); // no query ran since: only the replicated register can bring it
      PolicySnapshot onB = b.policy("bandit").map(v -> v.active().snapshot(6, 0))
          .orElseThrow();
      assertEquals(learned.episodes(), onB.episodes());
      assertArrayEquals(learned.parameter("pulls"), onB.parameter("pulls"));
      assertArrayEquals(learned.parameter("reward_sums"),
          onB.parameter("reward_sums"));
    } finally {
      if (b != null) {
        b.close();
      } else {
        kitB.shutdownTestKit();
      }
      a.close();
    }
  }

  private static void awaitVersion(EngineHarness node, long version) {
    node.kit.createTestProbe().awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
      assertEquals(version, node.policy("bandit").orElseThrow().activeVersion());
      return null;
    });
  }
}
