package dev.switchyard.actors.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.Planner;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Checked-in v1 journal events (src/test/resources/events/v1, Jackson JSON as the journal stores it) are written
 * into the journal and replayed by today's QueryActor: the recovered state is what was recorded, and an
 * interrupted one continues at its last recorded step. Changing an event class means a migration, never editing
 * these fixtures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class GoldenEventReplayTest {
  static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  @JUnit5TestKit
  final ActorTestKit kit = new JUnit5TestKitBuilder().withName("golden").withCustomConfig(ConfigFactory.parseString(
      "pekko.actor.serialize-messages = on\npekko.remote.artery.canonical.port = 0\n"
          + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\npekko.loglevel = WARNING\n"
          + "pekko-persistence-jdbc.shared-databases.slick.db.url = \"jdbc:h2:mem:" + UUID.randomUUID()
          + ";DB_CLOSE_DELAY=-1\"").withFallback(NodeConfig.load())).build();
  Engine engine;

  @BeforeAll
  void start() {
    Map<String, List<InferenceBackend>> backends = Map.of(
        "small", List.of(backend("small", "four?", 0.3, 0.001, 0.0)),
        "large", List.of(backend("large", "4", 0.95, 0.01, 1.0)));
    StrategyInfo info = new StrategyInfo("golden", "test", Dimensions.of(Dimensions.When.POST_GENERATION,
        Dimensions.How.HEURISTIC, Dimensions.Signal.RESPONSE), "");
    engine = EngineNode.start(kit.system(), new EngineSetup(
        List.of(new ModelCard("small", 1, 1, 8192, 1, 0, Map.of()), new ModelCard("large", 1, 1, 8192, 1, 0, Map.of())),
        backends, List.of(PipelineDefinition.fixed("cascade", "", info, cascade()))));
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(30), () -> {
      assertEquals(MemberStatus.up(), Cluster.get(kit.system()).selfMember().status());
      return null;
    });
  }

  static InferenceBackend backend(String id, String text, double confidence, double cost, double score) {
    return new InferenceBackend() {
      @Override
      public String modelId() {
        return id;
      }

      @Override
      public CompletionStage<Response> complete(BackendRequest request) {
        calls.computeIfAbsent(request.attemptId(), k -> new AtomicInteger()).incrementAndGet();
        return CompletableFuture.completedFuture(new Response(id, text, 10, 20, 5.0, cost, 0, confidence, score,
            null));
      }
    };
  }

  /** The same cascade the fixtures were recorded with: small, then large unless small is confident. */
  static Planner cascade() {
    return state -> {
      var last = state.lastResponse();
      if (last.isPresent()) {
        if (last.get().confidence() >= 0.9 || state.tried("large")) {
          return new PlanAction.Answer(last.get().text(), last.get().modelId(),
              List.of(Decision.of(Stage.VERIFY, last.get().modelId(), "confidence", last.get().confidence())));
        }
        return PlanAction.Route.to("large", List.of(Decision.of(Stage.ESCALATE, "large", "next:large", Double.NaN)));
      }
      return PlanAction.Route.to("small", List.of(Decision.of(Stage.PRE_ROUTE, "small", "next:small", Double.NaN)));
    };
  }

  /** Writes given events under a persistence id, as the v1 code did. */
  record WriteAll(List<Object> events, ActorRef<Done> replyTo) implements NoSerializationVerificationNeeded {}

  static Behavior<WriteAll> writer(PersistenceId id) {
    return new EventSourcedBehavior<WriteAll, Object, Integer>(id) {
      @Override
      public Integer emptyState() {
        return 0;
      }

      @Override
      public CommandHandler<WriteAll, Object, Integer> commandHandler() {
        return newCommandHandlerBuilder().forAnyState().onAnyCommand((state, cmd) ->
            Effect().persist(cmd.events()).thenRun(s -> cmd.replyTo().tell(Done.getInstance())));
      }

      @Override
      public EventHandler<Integer, Object> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> state + 1);
      }
    };
  }

  List<Object> fixture(String name) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    var serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
    List<Object> events = new ArrayList<>();
    try (InputStream in = GoldenEventReplayTest.class.getResourceAsStream("/events/v1/" + name + ".jsonl")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = mapper.readTree(line);
        byte[] payload = mapper.writeValueAsBytes(node.get("event"));
        int jackson = serialization.serializerFor(QueryEvent.class).identifier();
        events.add(serialization.deserialize(payload, jackson, node.get("manifest").asText()).get());
      }
    }
    return events;
  }

  void journal(String queryId, List<Object> events) throws Exception {
    ActorRef<WriteAll> w = kit.spawn(writer(PersistenceId.of("query", queryId, "|")));
    TestProbe<Done> done = kit.createTestProbe();
    w.tell(new WriteAll(events, done.getRef()));
    done.receiveMessage(Duration.ofSeconds(30));
    kit.stop(w);
  }

  QueryActor.Status status(String queryId) {
    TestProbe<QueryActor.Status> probe = kit.createTestProbe();
    ClusterSharding.get(kit.system()).entityRefFor(QueryActor.TYPE_KEY, queryId)
        .tell(new QueryActor.GetStatus(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30));
  }

  static Query query(String id) {
    return new Query(id, List.of(ChatMessage.user("What is 2 + 2?")), "math", new Budget(0, 4, 0));
  }

  @Test
  void aFinishedV1QueryReplaysToTheRecordedResult() throws Exception {
    List<Object> events = fixture("golden-finished");
    assertEquals(7, events.size());
    journal("golden-finished", events);

    QueryActor.Status status = status("golden-finished");
    assertTrue(status.known() && status.durable() && status.finished());
    QueryResult r = status.result();
    assertEquals("4", r.answer());
    assertEquals("large", r.answerModel());
    assertEquals(List.of("small", "large"), r.modelsCalled());
    assertEquals(2, r.rounds());
    assertEquals(0.011, r.costUsd(), 1e-12);
    assertEquals(50, r.latencyMs(), 1e-9);
    assertEquals(1.0, r.episode().score());
    assertEquals(List.of(Stage.PRE_ROUTE, Stage.GENERATE, Stage.VERIFY, Stage.ESCALATE, Stage.GENERATE,
        Stage.VERIFY, Stage.ANSWER), r.episode().steps().stream().map(s -> s.stage()).toList());
    assertTrue(Double.isNaN(r.episode().steps().get(0).signal()), "NaN signals survive the JSON");

    QueryResult repeated = engine.answer(query("golden-finished"), "cascade", Durability.DURABLE)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(r, repeated);
    assertTrue(calls.keySet().stream().noneMatch(k -> k.startsWith("golden-finished/")), calls.toString());
  }

  @Test
  void v1EventsReadWithoutGenerationFieldsMessageExtrasOrToolCalls() throws Exception {
    List<Object> events = fixture("golden-finished");
    Query query = ((QueryEvent.QueryAccepted) events.get(0)).query();
    assertEquals(dev.switchyard.protocol.GenerationParams.NONE, query.params());
    assertEquals(new ChatMessage("user", "What is 2 + 2?", null, null, null), query.messages().get(0));
    Response answered = ((QueryEvent.ModelAnswered) events.get(2)).response();
    assertEquals(null, answered.toolCalls());
    assertEquals(null, answered.finishReason());
  }

  @Test
  void v1FailedAttemptsReadAsTheirFailureKindsAndReplay() throws Exception {
    List<Object> events = fixture("golden-failed");
    QueryEvent.AttemptFailed refused = (QueryEvent.AttemptFailed) events.get(2);
    assertEquals(dev.switchyard.actors.pool.FailureKind.POOL_FULL, refused.failure());
    assertTrue(refused.rejected());
    assertEquals(dev.switchyard.actors.pool.FailureKind.TIMEOUT,
        ((QueryEvent.AttemptFailed) events.get(4)).failure());
    journal("golden-failed", events);

    QueryResult r = status("golden-failed").result();
    assertEquals("4", r.answer());
    assertEquals(List.of("large", "large"), r.modelsCalled(), "the refused call reached no model");
    assertEquals(3, r.rounds());
    assertEquals(List.of(Stage.PRE_ROUTE, Stage.REJECTED, Stage.ESCALATE, Stage.FAILED, Stage.ESCALATE,
        Stage.GENERATE, Stage.ANSWER), r.episode().steps().stream().map(s -> s.stage()).toList());
    assertEquals("rejected: POOL_FULL: pool small is full (8 in flight, 2 queued)",
        r.episode().steps().get(1).decision());
    assertEquals("error: TIMEOUT: no reply from the pool within 60 seconds", r.episode().steps().get(3).decision());
  }

  @Test
  void anInterruptedV1QueryContinuesAtItsLastRecordedStep() throws Exception {
    journal("golden-interrupted", fixture("golden-interrupted"));
    QueryResult r = engine.answer(query("golden-interrupted"), "cascade", Durability.DURABLE)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals("large", r.answerModel());
    assertEquals(List.of("small", "large"), r.modelsCalled());
    assertEquals(null, calls.get("golden-interrupted/1"), "the recorded call is not made again");
    assertEquals(1, calls.get("golden-interrupted/2").get(), "the routed call is re-issued with its attempt id");
  }
}
