package dev.switchyard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Query;
import dev.switchyard.simulator.backend.ReplayBackend;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
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
  void theCascadeStartsWithTheCheapestModelOfItsChain() {
    try (SimulatedFleet.Fleet fleet = SimulatedFleet.build(DATA, new SimulatedFleet.Options(0, 1, 1, Map.of()),
        CONFIG)) {
      PipelineDefinition cascade = fleet.setup().pipelines().get(0);
      Query q = new Query("x", List.of(ChatMessage.user(DATA.queries().get(0).prompt())), null, null);
      PlanAction first = cascade.fixedPlanner().next(PlanState.start(q, fleet.cards()));
      String cheapest = DATA.split("train").models().stream()
          .min(java.util.Comparator.comparingDouble(DATA.split("train")::meanCost)).orElseThrow();
      assertEquals(cheapest, ((PlanAction.Route) first).modelId());
    }
  }

  @Test
  void aConfiguredThresholdIsUsedAndAnAutoOneIsChosenOnTrain() {
    Config fixed = ConfigFactory.parseString("switchyard.pipelines.cascade.threshold = 0.9").withFallback(CONFIG);
    try (SimulatedFleet.Fleet fleet = SimulatedFleet.build(DATA, new SimulatedFleet.Options(0, 1, 1, Map.of()),
        fixed)) {
      assertTrue(fleet.setup().pipelines().get(0).description().contains("threshold 0.900"),
          fleet.setup().pipelines().get(0).description());
    }
    Config bad = ConfigFactory.parseString("switchyard.pipelines.cascade.threshold = high").withFallback(CONFIG);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SimulatedFleet.build(DATA, new SimulatedFleet.Options(0, 1, 1, Map.of()), bad));
    assertTrue(e.getMessage().contains("'high'"), e.getMessage());
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
