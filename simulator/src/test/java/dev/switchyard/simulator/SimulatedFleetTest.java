package dev.switchyard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.simulator.backend.ReplayBackend;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedFleetTest {
  private static final RecordedDataset DATA = new SyntheticFleet(7).generate(600, 0.3);
  private static final Config CONFIG = ConfigFactory.load();

  @Test
  void buildsTheStandardPipelinesAndOneBackendPerReplica() {
    try (SimulatedFleet.Fleet fleet = SimulatedFleet.build(DATA,
        new SimulatedFleet.Options(0, 1, 3, Map.of("synthetic-8b", "flaky-20")), CONFIG)) {
      EngineSetup setup = fleet.setup();
      assertEquals(Pipelines.names(), setup.pipelines().stream().map(PipelineDefinition::name).toList());
      assertEquals(List.of(Pipelines.CASCADE, Pipelines.BANDIT), Pipelines.names().subList(0, 2));
      assertFalse(setup.pipelines().get(0).isLearned());
      assertTrue(setup.pipelines().get(1).isLearned());
      assertEquals(DATA.models(), setup.models().stream().map(c -> c.id()).toList());
      for (String m : DATA.models()) {
        assertEquals(3, setup.backends().get(m).size(), m);
        List<ReplayBackend> replicas = fleet.replicas().get(m);
        assertEquals(List.of(0, 1, 2), replicas.stream().map(ReplayBackend::replica).toList());
        assertEquals(m.equals("synthetic-8b") ? "flaky-20" : "healthy", replicas.get(0).persona().name());
      }
      assertEquals(DATA.split("train").size(), fleet.train().size());
      assertEquals(DATA.split("test").size(), fleet.test().size());
    }
  }

  @Test
  void theCascadeBuysLessQualityForLessCostAsItsCostWeightGrows() {
    double[] free = replayCascadeOnTest(0);
    double[] dear = replayCascadeOnTest(100);
    assertTrue(dear[1] < free[1], "cost at weight 100 " + dear[1] + " below cost at weight 0 " + free[1]);
    assertTrue(free[0] >= dear[0], "quality at weight 0 " + free[0] + " at least that at 100 " + dear[0]);
    Config bad = ConfigFactory.parseString("switchyard.simulator.pipelines.cascade.cost-weight = -1").withFallback(CONFIG);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SimulatedFleet.build(DATA, new SimulatedFleet.Options(0, 1, 1, Map.of()), bad));
    assertTrue(e.getMessage().contains("switchyard.simulator.pipelines.cascade.cost-weight"), e.getMessage());
  }

  /** Mean quality and cost of the served cascade over the test split, replayed offline. */
  private static double[] replayCascadeOnTest(double costWeight) {
    Config config = ConfigFactory.parseString("switchyard.simulator.pipelines.cascade.cost-weight = " + costWeight)
        .withFallback(CONFIG);
    try (SimulatedFleet.Fleet fleet = SimulatedFleet.build(DATA, new SimulatedFleet.Options(0, 1, 1, Map.of()),
        config)) {
      PipelineDefinition cascade = fleet.setup().pipelines().get(0);
      assertTrue(cascade.description().contains(String.format(java.util.Locale.ROOT, "cost weight %.2f", costWeight)),
          cascade.description());
      double quality = 0;
      double cost = 0;
      for (RecordedQuery q : fleet.test().queries()) {
        OfflineReplay.Outcome o = OfflineReplay.run(cascade.fixedPlanner(), q, fleet.cards(), Budget.unlimited(),
            Pipelines.CASCADE, 0);
        quality += o.score();
        cost += o.costUsd();
      }
      int n = fleet.test().size();
      return new double[] {quality / n, cost / n};
    }
  }

  @Test
  void refusesFaultsForUnknownModelsAndBadOptions() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SimulatedFleet.build(DATA, new SimulatedFleet.Options(0, 1, 1, Map.of("gpt-9", "error")), CONFIG));
    assertTrue(e.getMessage().contains("gpt-9"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SimulatedFleet.Options(-1, 1, 1, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> new SimulatedFleet.Options(0, 1, 0, Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> SimulatedFleet.build(DATA, new SimulatedFleet.Options(0, 1, 1, Map.of("synthetic-8b", "wobbly")),
            CONFIG));
  }

  @Test
  void theLedgerCheckFindsAnAttemptBilledOnTwoReplicas() throws Exception {
    try (SimulatedFleet.Fleet fleet = SimulatedFleet.build(DATA, new SimulatedFleet.Options(0, 1, 2, Map.of()),
        CONFIG)) {
      String prompt = DATA.queries().get(0).prompt();
      List<ReplayBackend> replicas = fleet.replicas().get("synthetic-8b");
      var request = new dev.switchyard.actors.backend.BackendRequest("q-1/1", "synthetic-8b",
          List.of(ChatMessage.user(prompt)), prompt, 0);
      replicas.get(0).complete(request).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      replicas.get(0).complete(request).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(Map.of(), fleet.attemptsBilledMoreThanOnce(), "a repeat on the same replica is not re-billed");
      replicas.get(1).complete(request).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(Map.of("q-1/1", 2), fleet.attemptsBilledMoreThanOnce(), "the same attempt on another replica is");
      assertEquals(3, fleet.totalCalls());
    }
  }

  @Test
  void setupKeepsItsPublicSignature() {
    EngineSetup setup = SimulatedFleet.setup(DATA, new SimulatedFleet.Options(0, 1, 2, Map.of()));
    assertEquals(2, setup.backends().get("synthetic-1b").size());
    setup.backends().values().forEach(list -> list.forEach(b -> b.close()));
  }
}
