package dev.switchyard.actors;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.PolicyPublished;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.strategies.bandit.PilotRouter;
import dev.switchyard.strategies.bandit.Ucb1Bandit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three ActorSystems in one JVM (Artery tcp on random ports, one shared journal): query and pool entities spread
 * over the nodes, and the learner singleton moves when its node leaves without losing anything it learned.
 */
@ExtendWith(LogCapturingExtension.class)
class ThreeNodeClusterTest {
  static final List<String> MODELS = List.of("m0", "m1", "m2", "m3", "m4", "m5");

  static EngineSetup setup() {
    Map<String, List<InferenceBackend>> backends = new HashMap<>();
    List<ModelCard> cards = new ArrayList<>();
    for (String m : MODELS) {
      boolean good = m.equals("m1");
      backends.put(m, List.of(TestBackend.answering(m, good ? "4" : "5", 0.5, 0.001, good ? 1.0 : 0.0)));
      cards.add(card(m, 1));
    }
    return new EngineSetup(cards, backends, List.of(PipelineDefinition.learned("bandit", "UCB1",
        () -> new Ucb1Bandit("bandit", List.of("m0", "m1"), 0, 1, 0.5)),
        // a learner whose state is EJML matrices (per-arm ridge regressions) and a pacing multiplier
        PipelineDefinition.learned("pilot", "PILOT", () -> PilotRouter.builder(0.01).build())));
  }

  static PolicyPublished policy(EngineHarness via) {
    return policy(via, "bandit");
  }

  static PolicyPublished policy(EngineHarness via, String pipeline) {
    TestProbe<PolicyPublished> probe = via.kit.createTestProbe();
    ((ClusterEngine) via.engine).learner(pipeline).tell(new Learner.GetPolicy(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30));
  }

  static void awaitLearned(EngineHarness via, long version) {
    awaitLearned(via, "bandit", version);
  }

  static void awaitLearned(EngineHarness via, String pipeline, long version) {
    via.kit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
      assertEquals(version, policy(via, pipeline).active().version());
      assertEquals(version, ((ClusterEngine) via.engine).policy(pipeline).orElseThrow().activeVersion());
      return null;
    });
  }

  static long nodesWithEntities(EngineHarness via, EntityTypeKey<?> key) {
    TestProbe<ShardRegion.ClusterShardingStats> probe = via.kit.createTestProbe();
    ClusterSharding.get(via.kit.system()).shardState()
        .tell(new GetClusterShardingStats(key, Duration.ofSeconds(10), probe.getRef()));
    ShardRegion.ClusterShardingStats stats = probe.receiveMessage(Duration.ofSeconds(30));
    return stats.getRegions().values().stream()
        .filter(r -> r.getStats().values().stream().mapToInt(v -> ((Number) v).intValue()).sum() > 0).count();
  }

  @Test
  void entitiesSpreadOverNodesAndTheLearnerSingletonHandsOverWithoutLosingLearning() throws Exception {
    Config journal = TestJournal.fresh(); // the three nodes' one journal
    String shared = "pekko.cluster.split-brain-resolver.stable-after = 3s\n"
        // Rebalancing every 2 s moves pools while queries call them: sharding drops a call buffered for a shard
        // being handed over, and the query sends it again when the pool has not acknowledged it.
        + "pekko.cluster.sharding.rebalance-interval = 2s\n";
    Config base = EngineHarness.config(shared, journal);
    Config joiner = EngineHarness.config(shared + "switchyard.cluster.self-join = off\n", journal);
    EngineHarness a = EngineHarness.start("cluster", base, setup());
    ActorTestKit kitB = ActorTestKit.create("cluster", joiner);
    ActorTestKit kitC = ActorTestKit.create("cluster", joiner);
    EngineHarness b = null;
    EngineHarness c = null;
    try {
      Engine engineB = EngineNode.start(kitB.system(), setup());
      Cluster.get(kitB.system()).manager().tell(Join.create(Cluster.get(a.kit.system()).selfMember().address()));
      Engine engineC = EngineNode.start(kitC.system(), setup());
      Cluster.get(kitC.system()).manager().tell(Join.create(Cluster.get(a.kit.system()).selfMember().address()));
      b = EngineHarness.wrap(kitB, engineB);
      c = EngineHarness.wrap(kitC, engineC);
      for (EngineHarness n : List.of(a, b, c)) {
        n.kit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(300), () -> {
          var members = Cluster.get(n.kit.system()).state().getMembers();
          long up = java.util.stream.StreamSupport.stream(members.spliterator(), false)
              .filter(m -> m.status() == MemberStatus.up()).count();
          assertEquals(3, up);
          return null;
        });
      }

      List<CompletionStage<QueryResult>> answers = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        answers.add(c.engine.answer(query("spread-" + i, Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      }
      for (CompletionStage<QueryResult> answer : answers) {
        QueryResult r = c.await(answer);
        assertTrue(List.of("m0", "m1").contains(r.answerModel()));
      }
      long queryNodes = nodesWithEntities(c, QueryActor.TYPE_KEY);
      System.out.println("query entities on " + queryNodes + " nodes");
      assertTrue(queryNodes >= 2, "query entities on " + queryNodes + " node(s)");
      // The pools started on the first node before the others joined; sharding rebalances them over the nodes.
      EngineHarness viaC = c;
      c.kit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofSeconds(1), () -> {
        long poolNodes = nodesWithEntities(viaC, ModelPool.TYPE_KEY);
        assertTrue(poolNodes >= 2, "pool entities on " + poolNodes + " node(s)");
        return null;
      });

      for (int i = 0; i < 12; i++) {
        QueryResult r = b.await(b.engine.answer(query("pilot-" + i, Budget.unlimited()), "pilot",
            Durability.EPHEMERAL));
        assertTrue(MODELS.contains(r.answerModel()), r.toString());
      }

      awaitLearned(c, 30);
      awaitLearned(b, 30);
      awaitLearned(c, "pilot", 12);
      PolicyPublished before = policy(c);
      PolicyPublished pilotBefore = policy(c, "pilot");

      a.close(); // the oldest node, host of the singletons, leaves
      EngineHarness survivor = c;
      awaitLearned(survivor, 30);
      PolicyPublished handedOver = policy(survivor);
      assertEquals(before.active().episodes(), handedOver.active().episodes());
      assertArrayEquals(before.active().parameter("pulls"), handedOver.active().parameter("pulls"));
      assertArrayEquals(before.active().parameter("reward_sums"), handedOver.active().parameter("reward_sums"));
      awaitLearned(survivor, "pilot", 12);
      PolicyPublished pilotAfter = policy(survivor, "pilot");
      assertEquals(12, pilotAfter.active().episodes());
      assertEquals(pilotBefore.active().parameters().keySet(), pilotAfter.active().parameters().keySet());
      assertFalse(pilotBefore.active().parameters().isEmpty());
      for (String key : pilotBefore.active().parameters().keySet()) {
        assertArrayEquals(pilotBefore.active().parameter(key), pilotAfter.active().parameter(key), key);
      }

      for (int i = 0; i < 5; i++) {
        survivor.await(b.engine.answer(query("after-" + i, Budget.unlimited()), "bandit", Durability.EPHEMERAL));
      }
      awaitLearned(survivor, 35);
    } finally {
      // Youngest first, one at a time (pekko-stack.md gotcha 5).
      if (c != null) {
        c.close();
      } else {
        kitC.shutdownTestKit();
      }
      if (b != null) {
        b.close();
      } else {
        kitB.shutdownTestKit();
      }
      a.close();
    }
  }
}
