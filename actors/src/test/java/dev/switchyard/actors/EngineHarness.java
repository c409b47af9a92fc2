package dev.switchyard.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.LocalPolicies;
import dev.switchyard.actors.query.QueryActor;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One engine node in a test: an ActorTestKit with the test configuration, the engine started on it. A public test
 * fixture, so the tests of every package of the engine start their node alike.
 */
public final class EngineHarness implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);

  public final ActorTestKit kit;
  public final Engine engine;

  private EngineHarness(ActorTestKit kit, Engine engine) {
    this.kit = kit;
    this.engine = engine;
  }

  /** Test configuration: random port, every message through its serializer, a journal of its own ({@link TestJournal}). */
  public static Config config(String extra) {
    return config(extra, TestJournal.fresh());
  }

  /** {@link #config(String)} on the given journal, e.g. {@link TestJournal#kept}. */
  public static Config config(String extra, Config journal) {
    return ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(
        "pekko.actor.serialize-messages = on\n"
        + "pekko.remote.artery.canonical.port = 0\n"
        + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
        + "pekko.loglevel = WARNING\n"
        + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"))
        .withFallback(journal)
        .withFallback(NodeConfig.load());
  }

  public static EngineHarness start(String name, Config config, EngineSetup setup) {
    ActorTestKit kit = ActorTestKit.create(name, config);
    Engine engine = EngineNode.start(kit.system(), setup);
    EngineHarness h = new EngineHarness(kit, engine);
    h.awaitUp();
    return h;
  }

  /** Wraps a system whose engine a test started (and joined) by hand. */
  public static EngineHarness wrap(ActorTestKit kit, Engine engine) {
    return new EngineHarness(kit, engine);
  }

  public void awaitUp() {
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(WAIT, () -> {
      if (Cluster.get(kit.system()).selfMember().status() != MemberStatus.up()) {
        throw new AssertionError("not up yet");
      }
      return null;
    });
  }

  public <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The learner singleton (proxy) of a learned pipeline, null for a fixed one; the engine's own accessor. */
  public ActorRef<Learner.Command> learner(String pipeline) {
    return ((ClusterEngine) engine).learner(pipeline);
  }

  /** This node's policy view of a learned pipeline. */
  public Optional<LocalPolicies.View> policy(String pipeline) {
    return ((ClusterEngine) engine).policy(pipeline);
  }

  /** The status of a query as its entity records it. */
  public CompletionStage<QueryActor.Status> status(String queryId, Duration timeout) {
    return ((ClusterEngine) engine).status(queryId, timeout);
  }

  /** Terminates the system, waiting a bounded time; idempotent. */
  @Override
  public void close() {
    if (!kit.system().getWhenTerminated().toCompletableFuture().isDone()) {
      ActorTestKit.shutdown(kit.system(), Duration.ofSeconds(30), false);
    }
  }

  public static ModelCard card(String id, double priceOut) {
    return new ModelCard(id, priceOut / 2, priceOut, 8192, 100, 0.1, Map.of());
  }

  public static Query query(String id, Budget budget) {
    return Query.ofText(id, "What is 2 + 2?").withBudget(budget);
  }

  /** Two models, "first" (price 1) and "second" (price 10), and a pipeline "cascade" over them in that order. */
  public static EngineSetup cascadeSetup(TestBackend first, TestBackend second) {
    Map<String, List<InferenceBackend>> backends = Map.of("first", List.of(first), "second", List.of(second));
    return new EngineSetup(List.of(card("first", 1), card("second", 10)), backends,
        List.of(PipelineDefinition.fixed("cascade", "", TEST_INFO, cascade(List.of("first", "second"), 0.9))));
  }

  /**
   * The test configuration with the journal of {@code dir} (an H2 file under it, or its PostgreSQL database: so a
   * new system can resume what an earlier one recorded) and the open-query registry resuming every second.
   */
  public static Config fileConfig(Path dir) {
    return config("switchyard.query.open-registry.resume-interval = 1s\n", TestJournal.kept(dir));
  }

  public static final StrategyInfo TEST_INFO = new StrategyInfo("test-cascade", "test",
      Dimensions.of(Dimensions.When.POST_GENERATION, Dimensions.How.HEURISTIC, Dimensions.Signal.RESPONSE), "");

  /**
   * A confidence cascade over {@code models} in order: calls the first untried model (skipping ones whose last
   * attempt was refused), answers once a response's confidence reaches {@code threshold}, answers with the last
   * response when every model was tried, abstains when none answered.
   */
  public static Planner cascade(List<String> models, double threshold) {
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

  public static boolean anyFailed(List<Attempt> attempts) {
    return attempts.stream().anyMatch(a -> !a.succeeded());
  }
}
