package dev.switchyard.actors.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.pool.CircuitBreaker;
import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.query.QueryEvent;
import dev.switchyard.actors.query.QueryRun;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.Planner;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What each engine meter says after a scripted episode, pool load or decision. */
@ExtendWith(LogCapturingExtension.class)
class EngineMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final EngineMetrics metrics = new EngineMetrics(registry, MetricsSettings.from(NodeConfig.load()),
      List.of("small", "big"));

  private static Response answer(String model, int in, int out, double latencyMs, double cost) {
    return new Response(model, "answer of " + model, in, out, latencyMs, cost, 0, null, null, null);
  }

  /**
   * An episode as a query records it: the pool of "small" refuses the first call, the second times out, "small"
   * answers the third and "big" the fourth, which is the answer; accepted at 1000, finished at 3500.
   */
  private static Episode cascade() {
    QueryRun run = QueryRun.none()
        .apply(new QueryEvent.QueryAccepted(Query.ofText("q1", "What is 2 + 2?"), "switchyard/cascade", 0, 1000))
        .apply(new QueryEvent.ModelRouted(1, "small", null, List.of(), 1000))
        .apply(new QueryEvent.AttemptFailed(1, "small", true, "POOL_FULL", "pool small is full", 200, 1010))
        .apply(new QueryEvent.ModelRouted(2, "small", null, List.of(), 1010))
        .apply(new QueryEvent.AttemptFailed(2, "small", false, "TIMEOUT", "", -1, 1500))
        .apply(new QueryEvent.ModelRouted(3, "small", null, List.of(), 1500))
        .apply(new QueryEvent.ModelAnswered(3, answer("small", 20, 5, 50, 0.0001), 1600))
        .apply(new QueryEvent.ModelRouted(4, "big", null, List.of(), 1600))
        .apply(new QueryEvent.ModelAnswered(4, answer("big", 20, 8, 400, 0.002), 3500))
        .apply(new QueryEvent.QueryAnswered("answer of big", "big", List.of(), 3500));
    return run.result().episode();
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  void aFinishedQueryCountsEveryAttemptByOutcomeAndEveryFailureByKind() {
    metrics.queryFinished(cascade());

    assertEquals(2, counter("switchyard.model.calls", "model", "small", "outcome", "answered") + counter(
        "switchyard.model.calls", "model", "big", "outcome", "answered"));
    assertEquals(1, counter("switchyard.model.calls", "model", "small", "outcome", "rejected"));
    assertEquals(1, counter("switchyard.model.calls", "model", "small", "outcome", "failed"));
    assertEquals(1, counter("switchyard.model.errors", "model", "small", "kind", "POOL_FULL"));
    assertEquals(1, counter("switchyard.model.errors", "model", "small", "kind", "TIMEOUT"));
    assertEquals(4, registry.get("switchyard.model.calls").counters().stream().mapToDouble(c -> c.count()).sum(),
        "one call per attempt of the episode");
  }

  @Test
  void answeredCallsCarryTheirTokensCostAndUpstreamLatency() {
    metrics.queryFinished(cascade());

    assertEquals(20, counter("switchyard.model.tokens", "model", "big", "type", "input"));
    assertEquals(8, counter("switchyard.model.tokens", "model", "big", "type", "output"));
    assertEquals(5, counter("switchyard.model.tokens", "model", "small", "type", "output"));
    assertEquals(0.002, counter("switchyard.model.cost", "model", "big"), 1e-12);
    assertEquals(0.0001, counter("switchyard.model.cost", "model", "small"), 1e-12);
    Timer call = registry.get("switchyard.model.call.duration").tags("model", "big").timer();
    assertEquals(1, call.count());
    assertEquals(400, call.totalTime(TimeUnit.MILLISECONDS), 1e-6);
  }

  @Test
  void aQueryCostsItsPipelineWhatItsCallsCost() {
    metrics.queryFinished(cascade());
    metrics.queryFinished(cascade());

    assertEquals(2 * cascade().costUsd(), counter("switchyard.query.cost", "pipeline", "switchyard/cascade"), 1e-12);
    assertEquals(2 * (0.0001 + 0.002), counter("switchyard.query.cost", "pipeline", "switchyard/cascade"), 1e-12);
  }

  @Test
  void theQueryDurationIsTaggedWithItsPipelineAndAnsweringModel() {
    metrics.queryFinished(cascade());

    Timer query = registry.get("switchyard.query.duration").tags("pipeline", "switchyard/cascade", "model", "big")
        .timer();
    assertEquals(1, query.count());
    assertEquals(2500, query.totalTime(TimeUnit.MILLISECONDS), 1e-6);
  }

  @Test
  void latencyTimersHaveTheConfiguredBuckets() {
    metrics.queryFinished(cascade());

    var buckets = registry.get("switchyard.query.duration").timer().takeSnapshot().histogramCounts();
    assertEquals(MetricsSettings.from(NodeConfig.load()).latencyBuckets().size(), buckets.length);
    assertEquals(Duration.ofMillis(50).toNanos(), (long) buckets[0].bucket(TimeUnit.NANOSECONDS));
    assertEquals(Duration.ofSeconds(120).toNanos(), (long) buckets[buckets.length - 1].bucket(TimeUnit.NANOSECONDS));
    // 2.5 s is above 1 s and within 2.5 s
    assertEquals(0, registry.get("switchyard.query.duration").timer().takeSnapshot().histogramCounts()[4].count());
    assertEquals(1, registry.get("switchyard.query.duration").timer().takeSnapshot().histogramCounts()[5].count());
  }

  @Test
  void anAbstainedQueryIsTaggedWithNoModel() {
    QueryRun run = QueryRun.none()
        .apply(new QueryEvent.QueryAccepted(Query.ofText("q2", "?"), "switchyard/bandit", 3, 0))
        .apply(new QueryEvent.QueryAbstained("budget exhausted", List.of(), 10));
    metrics.queryFinished(run.result().episode());

    assertEquals(1, registry.get("switchyard.query.duration").tags("pipeline", "switchyard/bandit", "model",
        EngineMetrics.NONE).timer().count());
    assertNull(registry.find("switchyard.model.calls").counter(), "no attempt, no call");
  }

  @Test
  void tagsStayBoundedForModelsAndKindsTheDeploymentDoesNotKnow() {
    QueryRun run = QueryRun.none()
        .apply(new QueryEvent.QueryAccepted(Query.ofText("q3", "?"), "switchyard/cascade", 0, 0))
        .apply(new QueryEvent.ModelRouted(1, "gpt-99", null, List.of(), 0))
        .apply(new QueryEvent.AttemptFailed(1, "gpt-99", false, "UNKNOWN_MODEL", "no model gpt-99", -1, 0))
        .apply(new QueryEvent.ModelRouted(2, "small", null, List.of(), 0))
        .apply(new QueryEvent.AttemptFailed(2, "small", false, "SOMETHING_NEW: with a colon", "details", -1, 0))
        .apply(new QueryEvent.QueryAbstained("nothing answered", List.of(), 5));
    metrics.queryFinished(run.result().episode());

    assertEquals(1, counter("switchyard.model.errors", "model", EngineMetrics.UNKNOWN, "kind",
        FailureKind.UNKNOWN_MODEL.name()));
    assertEquals(1, counter("switchyard.model.errors", "model", "small", "kind", EngineMetrics.OTHER_KIND));
    assertEquals(2, registry.get("switchyard.model.errors").counters().size());
  }

  @Test
  void aPoolsGaugesFollowItsPublishedLoadAndGoWhenItStops() {
    metrics.poolLoad(new PoolLoad("small", 3, 8, 80, 50, 0, false, 1),
        List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN));
    assertEquals(3, registry.get("switchyard.pool.queue.depth").tags("model", "small").gauge().value());
    assertEquals(8, registry.get("switchyard.pool.in.flight").tags("model", "small").gauge().value());
    assertEquals(EngineMetrics.CIRCUIT_CLOSED, circuit("small", "0"));
    assertEquals(EngineMetrics.CIRCUIT_OPEN, circuit("small", "1"));
    assertEquals(EngineMetrics.CIRCUIT_HALF_OPEN, circuit("small", "2"));

    metrics.poolLoad(new PoolLoad("small", 0, 1, 80, 50, 0, false, 2),
        List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.CLOSED, CircuitBreaker.State.CLOSED));
    assertEquals(0, registry.get("switchyard.pool.queue.depth").tags("model", "small").gauge().value());
    assertEquals(1, registry.get("switchyard.pool.in.flight").tags("model", "small").gauge().value());
    assertEquals(EngineMetrics.CIRCUIT_CLOSED, circuit("small", "1"));

    metrics.poolStopped("small");
    assertNull(registry.find("switchyard.pool.queue.depth").gauge());
    assertNull(registry.find("switchyard.pool.circuit.state").gauge());
  }

  private double circuit(String model, String worker) {
    return registry.get("switchyard.pool.circuit.state").tags("model", model, "worker", worker).gauge().value();
  }

  @Test
  void aTimedPlannerRecordsEveryDecisionEvenOneThatFails() {
    Planner answers = state -> new PlanAction.Abstain("no", List.of());
    Planner fails = state -> {
      throw new IllegalStateException("broken planner");
    };
    metrics.timed("switchyard/cascade", answers).next(null);
    metrics.timed("switchyard/cascade", answers).next(null);
    assertThrows(IllegalStateException.class, () -> metrics.timed("switchyard/cascade", fails).next(null));

    Timer decisions = registry.get("switchyard.routing.decision").tags("pipeline", "switchyard/cascade").timer();
    assertEquals(3, decisions.count());
    assertTrue(decisions.takeSnapshot().histogramCounts().length > 0, "decision buckets are published");
  }

  @Test
  void thePolicyVersionGaugeReadsTheNodesView() {
    long[] version = {4};
    metrics.policyVersion("switchyard/bandit", () -> version[0]);
    assertEquals(4, registry.get("switchyard.learner.policy.version").tags("pipeline", "switchyard/bandit")
        .gauge().value());
    version[0] = 5;
    assertEquals(5, registry.get("switchyard.learner.policy.version").gauge().value());
  }

  @Test
  void bucketsMustBePositiveAndAscending() {
    List<Duration> ok = List.of(Duration.ofMillis(1));
    assertThrows(IllegalArgumentException.class, () -> new MetricsSettings(true,
        List.of(Duration.ofSeconds(1), Duration.ofMillis(50)), ok));
    assertThrows(IllegalArgumentException.class, () -> new MetricsSettings(true, List.of(Duration.ZERO), ok));
    assertThrows(IllegalArgumentException.class, () -> new MetricsSettings(true, ok, List.of()));
  }
}
