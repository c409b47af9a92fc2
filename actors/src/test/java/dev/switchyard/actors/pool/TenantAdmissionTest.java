package dev.switchyard.actors.pool;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.cascade;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A query's tenant reaches its model's pool on the call, and the pool weighs it by the tenant's priority from the
 * node's configured tenants: on a sharded engine node with one slot, gold's queries (priority 3) start three for
 * every one of bronze's (priority 1) while both wait, though bronze's were queued first.
 */
@ExtendWith(LogCapturingExtension.class)
class TenantAdmissionTest {
  @Test
  void aQuerysTenantAndItsPriorityDecideWhenItsCallStarts() throws Exception {
    Map<String, CompletableFuture<Response>> held = new ConcurrentHashMap<>();
    List<String> started = Collections.synchronizedList(new ArrayList<>());
    TestBackend only = new TestBackend("only", r -> {
      started.add(r.attemptId());
      return held.computeIfAbsent(r.attemptId(), k -> new CompletableFuture<>());
    });
    Tenants tenants = new Tenants(Map.of("gold", FairAdmissionTest.tenant("gold", 3),
        "bronze", FairAdmissionTest.tenant("bronze", 1)));
    EngineSetup setup = new EngineSetup(List.of(card("only", 1)), Map.of("only", List.<InferenceBackend>of(only)),
        List.of(PipelineDefinition.fixed("p", "", EngineHarness.TEST_INFO, cascade(List.of("only"), 0.5))))
        .withTenants(tenants);
    try (EngineHarness node = EngineHarness.start("tenant-admission", EngineHarness.config(
        "switchyard.pool.max-concurrency-per-worker = 1\nswitchyard.pool.max-queue-wait = 60s\n"
        + "switchyard.pool.load-publish-interval = 50ms"), setup)) {
      TestProbe<Object> probe = node.kit.createTestProbe();
      List<CompletionStage<QueryResult>> answers = new ArrayList<>();
      answers.add(ask(node, "first", "bronze"));
      awaitQueued(probe, node, started, 1, 0);
      for (int i = 1; i <= 4; i++) {
        answers.add(ask(node, "bronze-" + i, "bronze"));
      }
      awaitQueued(probe, node, started, 1, 4);
      for (int i = 1; i <= 6; i++) {
        answers.add(ask(node, "gold-" + i, "gold"));
      }
      awaitQueued(probe, node, started, 1, 10);

      for (int n = 1; n <= 10; n++) {
        held.computeIfAbsent(started.get(n - 1), k -> new CompletableFuture<>()).complete(
            TestBackend.response("only", "4", 0.95, 0.001, 1.0));
        awaitQueued(probe, node, started, n + 1, 10 - n);
      }
      held.get(started.get(10)).complete(TestBackend.response("only", "4", 0.95, 0.001, 1.0));
      List<String> tenantsInOrder = started.subList(1, 11).stream().map(id -> id.substring(0, id.indexOf('-')))
          .toList();
      assertEquals(List.of("bronze", "gold", "gold", "gold", "bronze", "gold", "gold", "gold", "bronze", "bronze"),
          tenantsInOrder, started.toString());
      for (CompletionStage<QueryResult> answer : answers) {
        assertEquals("only", node.await(answer).answerModel());
      }
    }
  }

  private static CompletionStage<QueryResult> ask(EngineHarness node, String id, String tenant) {
    return node.engine.answer(query(id, Budget.unlimited()).withTenant(tenant), "p", Durability.EPHEMERAL);
  }

  /** Waits until the backend has started {@code calls} calls and the pool reports {@code queued} waiting. */
  private static void awaitQueued(TestProbe<Object> probe, EngineHarness node, List<String> started, int calls,
      int queued) {
    probe.awaitAssert(EngineHarness.WAIT, () -> {
      assertEquals(calls, started.size(), started.toString());
      assertEquals(queued, node.engine.load().get("only").queued(), "queued calls");
      return null;
    });
  }
}
