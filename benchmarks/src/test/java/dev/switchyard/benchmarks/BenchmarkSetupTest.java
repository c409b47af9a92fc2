package dev.switchyard.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchyard.simulator.cli.DataLocator;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' setups work: a cheap linear router and a bandit fit on the recorded data and route test
 * queries, and every message of the Kryo benchmark is bound to the Kryo serializer (the benchmark's setup
 * refuses otherwise) and reads back equal. The benchmarks themselves are not run here; skipped where the
 * recorded data is absent.
 */
class BenchmarkSetupTest {
  @BeforeAll
  static void needsData() {
    DataLocator.Located located = RecordedData.locate();
    assumeTrue(located.file().isPresent(), () -> "skipped: " + located.describeMissing());
  }

  @Test
  void aLinearRouterAndABanditFitAndRouteTestQueries() {
    for (String name : new String[] {"hybrid-llm", "metallm"}) {
      FittedRouters.Fitted fitted = FittedRouters.fit(name, RecordedData.dataset());
      PlanState[] states = fitted.firstStates(1);
      assertEquals(fitted.test().size(), states.length);
      for (int i = 0; i < 50; i++) {
        assertInstanceOf(PlanAction.Route.class, fitted.planner().next(states[i]), name + " routes first");
      }
    }
  }

  @Test
  void everyKryoBenchmarkMessageRoundTrips() throws Exception {
    KryoRoundTripBenchmark bench = new KryoRoundTripBenchmark();
    bench.start();
    try {
      assertTrue(bench.modelAnswer().toString().contains("CallAnswered"));
      assertEquals(bench.queryCompleted().toString(), bench.queryCompleted().toString());
      bench.poolCall();
      bench.episode();
    } finally {
      bench.stop();
    }
  }

  @Test
  void theChatRequestParsesAndTheCompletionRenders() {
    ChatJsonBenchmark bench = new ChatJsonBenchmark();
    bench.build();
    assertEquals(2, bench.parseRequest().messages().size());
    assertTrue(new String(bench.renderCompletion(), java.nio.charset.StandardCharsets.UTF_8)
        .contains("\"chat.completion\""));
  }
}
