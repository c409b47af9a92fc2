package dev.switchyard.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.Planner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** One engine node in a test: an ActorTestKit with the test configuration, the engine started on it. */
final class EngineHarness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  final ActorTestKit kit;
  final Engine engine;

  private EngineHarness(ActorTestKit kit, Engine engine) {
    this.kit = kit;
    this.engine = engine;
  }

  /** Test configuration: random port, every message through its serializer, a private H2 database. */
  static Config config(String extra) {
    return ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(
        "pekko.actor.serialize-messages = on\n"
        + "pekko.remote.artery.canonical.port = 0\n"
        + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
        + "pekko.loglevel = WARNING\n"
        + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
        + "pekko-persistence-jdbc.shared-databases.slick.db.url = \"jdbc:h2:mem:" + UUID.randomUUID()
        + ";DB_CLOSE_DELAY=-1\"\n"))
        .withFallback(NodeConfig.load());
  }

  static EngineHarness start(String name, Config config, EngineSetup setup) {
    ActorTestKit kit = ActorTestKit.create(name, config);
    Engine engine = EngineNode.start(kit.system(), setup);
    EngineHarness h = new EngineHarness(kit, engine);
    h.awaitUp();
    return h;
  }

  /** Wraps a system whose engine a test started (and joined) by hand. */
  static EngineHarness wrap(ActorTestKit kit, Engine engine) {
    return new EngineHarness(kit, engine);
  }

  void awaitUp() {
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(WAIT, () -> {
      if (Cluster.get(kit.system()).selfMember().status() != MemberStatus.up()) {
        throw new AssertionError("not up yet");
      }
      return null;
    });
  }

  <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Terminates the system, waiting a bounded time; idempotent. */
  @Override
  public void close() {
    if (!kit.system().getWhenTerminated().toCompletableFuture().isDone()) {
      ActorTestKit.shutdown(kit.system(), Duration.ofSeconds(30), false);
    }
  }

  static ModelCard card(String id, double priceOut) {
    return new ModelCard(id, priceOut / 2, priceOut, 8192, 100, 0.1, Map.of());
  }

  static Query query(String id, Budget budget) {
    return Query.ofText(id, "What is 2 + 2?").withBudget(budget);
  }

  static final StrategyInfo TEST_INFO = new StrategyInfo("test-cascade", "test",
      Dimensions.of(Dimensions.When.POST_GENERATION, Dimensions.How.HEURISTIC, Dimensions.Signal.RESPONSE), "");

  /**
   * A confidence cascade over {@code models} in order: calls the first untried model (skipping ones whose last
   * attempt was refused), answers once a response's confidence reaches {@code threshold}, answers with the last
   * response when every model was tried, abstains when none answered.
   */
  static Planner cascade(List<String> models, double threshold) {
    return state -> {
      List<Decision> trace = new ArrayList<>();
      var last = state.lastResponse();
      if (!state.attempts().isEmpty() && state.attempts().get(state.attempts().size() - 1).succeeded()) {
        double c = last.get().confidence();
        trace.add(Decision.of(Stage.VERIFY, last.get().modelId(), "confidence", c));
        if (c >= threshold) {
          return new PlanAction.Answer(last.get().text(), last.get().modelId(), trace);
        }
      }
      for (String m : models) {
        if (!state.tried(m)) {
          trace.add(Decision.of(state.attempts().isEmpty() ? Stage.PRE_ROUTE : Stage.ESCALATE, m, "next:" + m,
              Double.NaN));
          return PlanAction.Route.to(m, trace);
        }
      }
      if (last.isPresent()) {
        return new PlanAction.Answer(last.get().text(), last.get().modelId(), trace);
      }
      return new PlanAction.Abstain("no model answered", trace);
    };
  }

  static boolean anyFailed(List<Attempt> attempts) {
    return attempts.stream().anyMatch(a -> !a.succeeded());
  }
}
