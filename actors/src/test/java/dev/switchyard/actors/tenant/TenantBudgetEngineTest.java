package dev.switchyard.actors.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.TenantUsage;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.job.JobStatus;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One engine node with three metered tenants: "small" may spend 0.0005 USD a day, "paced" may make two requests a
 * minute, "free" has no limit. A call of model "first" (0.5 and 1 USD per million input and output tokens) asking
 * for at most 100 tokens is estimated at 0.000102 USD and really costs 0.0001 USD (the test backend's price).
 */
@ExtendWith(LogCapturingExtension.class)
class TenantBudgetEngineTest {
  static final TestBackend first = TestBackend.answering("first", "4", 0.95, 0.0001, 1.0);
  static final TestBackend second = TestBackend.answering("second", "4", 0.95, 0.001, 1.0);
  static EngineHarness node;

  @BeforeAll
  static void start() {
    Tenants tenants = new Tenants(Map.of(
        "small", new TenantSpec("small", 0.0005, 0, 0, 0, List.of(), 1),
        "paced", new TenantSpec("paced", 0, 0, 2, 0, List.of(), 1),
        "free", new TenantSpec("free", 0, 0, 0, 0, List.of(), 1)));
    EngineSetup setup = EngineHarness.cascadeSetup(first, second).withTenants(tenants);
    node = EngineHarness.start("tenant-budget", EngineHarness.config(""), setup);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Query query(String id, String tenant) {
    return Query.ofText(id, "What is 2 + 2?").withMaxOutputTokens(100).withTenant(tenant);
  }

  static EngineRejection refusal(Exception e) {
    return assertInstanceOf(EngineRejection.class, e instanceof ExecutionException ? e.getCause() : e);
  }

  @Test
  void aTenantsQueriesAreAnsweredUntilItsBudgetIsSpentThenRefusedSayingWhatIsLeft() throws Exception {
    for (int i = 0; i < 4; i++) {
      QueryResult r = node.await(node.engine.answer(query("small-" + i, "small"), "cascade", Durability.EPHEMERAL));
      assertFalse(r.abstained());
    }
    int callsBefore = first.totalCalls.get() + second.totalCalls.get();
    EngineRejection refused = refusal(assertThrows(ExecutionException.class, () -> node.await(
        node.engine.answer(query("small-4", "small"), "cascade", Durability.EPHEMERAL))));
    assertEquals(EngineRejection.Reason.BUDGET_EXHAUSTED, refused.reason());
    assertEquals("budget-usd-per-day", refused.param());
    assertTrue(refused.getMessage().contains("tenant small") && refused.getMessage().contains("0.000100 USD"),
        refused.getMessage());
    assertEquals(callsBefore, first.totalCalls.get() + second.totalCalls.get(), "no model was called");

    // a durable query refused alike; another tenant's and an unmetered query are not affected
    EngineRejection durable = refusal(assertThrows(ExecutionException.class, () -> node.await(
        node.engine.answer(query("small-durable", "small"), "cascade", Durability.DURABLE))));
    assertEquals(EngineRejection.Reason.BUDGET_EXHAUSTED, durable.reason());
    assertFalse(node.await(node.engine.answer(query("free-0", "free"), "cascade", Durability.EPHEMERAL)).abstained());
    assertFalse(node.await(node.engine.answer(query("nobody-0", null), "cascade", Durability.EPHEMERAL))
        .abstained());

    TenantUsage small = node.await(node.engine.tenantUsage()).stream().filter(u -> u.tenant().equals("small"))
        .findFirst().orElseThrow();
    assertEquals(0.0004, small.spentTodayUsd(), 1e-12, "four calls at their real cost");
    assertEquals(0.0005, small.budgetPerDayUsd());
  }

  @Test
  void requestsOverTheTenantsRateAreRefusedWithTheTimeUntilOneFits() throws Exception {
    node.await(node.engine.answer(query("paced-0", "paced"), "cascade", Durability.EPHEMERAL));
    node.await(node.engine.answer(query("paced-1", "paced"), "cascade", Durability.EPHEMERAL));
    EngineRejection refused = refusal(assertThrows(ExecutionException.class, () -> node.await(
        node.engine.answer(query("paced-2", "paced"), "cascade", Durability.EPHEMERAL))));
    assertEquals(EngineRejection.Reason.TENANT_RATE_LIMITED, refused.reason());
    assertEquals("requests-per-minute", refused.param());
    assertTrue(refused.retryAfter().toMillis() > 0 && refused.retryAfter().toSeconds() <= 60, refused.retryAfter()
        .toString());
    TenantUsage paced = node.await(node.engine.tenantUsage()).stream().filter(u -> u.tenant().equals("paced"))
        .findFirst().orElseThrow();
    assertEquals(2, paced.requestsLastMinute());
    assertEquals(2, paced.requestsPerMinuteLimit());
  }

  @Test
  void aJobWhoseStepTheTenantsBudgetRefusesFailsSayingSo() throws Exception {
    Tenants tenants = new Tenants(Map.of("broke", new TenantSpec("broke", 0.00001, 0, 0, 0, List.of(), 1)));
    try (EngineHarness other = EngineHarness.start("tenant-job", EngineHarness.config(""),
        EngineHarness.cascadeSetup(first, second).withTenants(tenants))) {
      JobSpec spec = new JobSpec("broke-job", "cascade", List.of(List.of(ChatMessage.user("What is 2 + 2?"))), null,
          Budget.unlimited(), "broke");
      other.await(other.engine.submitJob(spec));
      JobView done = other.kit.createTestProbe().awaitAssert(EngineHarness.WAIT, () -> {
        JobView v = other.await(other.engine.job("broke-job"));
        assertTrue(v.status().terminal(), () -> "still " + v.status());
        return v;
      });
      assertEquals(JobStatus.FAILED, done.status());
      assertEquals("tenant_budget_exhausted", done.code());
      assertTrue(done.message().contains("budget-usd-per-day") && done.message().contains("tenant broke"),
          done.message());
    }
  }
}
