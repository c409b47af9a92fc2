package dev.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.job.JobActor;
import dev.switchyard.actors.job.JobEvent;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.job.JobStatus;
import dev.switchyard.actors.job.JobUpdate;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.PolicyPublished;
import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.actors.pool.Worker;
import dev.switchyard.actors.query.OpenQueries;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.actors.query.QueryEvent;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.GenerationParams;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.protocol.serialization.KryoSerializer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every actor message round-trips through Kryo (its registered serializer), every journal event and snapshot
 * through Pekko's Jackson serializer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class ActorsSerializationTest {
  @JUnit5TestKit
  final ActorTestKit kit = new JUnit5TestKitBuilder().withName("serialization-test").withCustomConfig(
      ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0\npekko.cluster.jmx.multi-mbeans-in-same-jvm = on")
          .withFallback(NodeConfig.load())).build();
  final Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));

  static Response response() {
    return new Response("m", "4", 3, 5, 12.5, 0.002, 0.4, 0.9, 1.0, "note");
  }

  static Episode episode() {
    return new Episode("q1", "p", "math", "2+2?", List.of(EpisodeStep.generated(1, response()),
        EpisodeStep.decision(1, Stage.VERIFY, "m", "confidence", Double.NaN)), "m", "4", 0.002, 12, 1.0, 3, 10, 22);
  }

  Object roundTrip(Object message, String expectedSerializer) {
    Serializer serializer = serialization.findSerializerFor(message);
    assertEquals(expectedSerializer, serializer.getClass().getSimpleName(), "serializer of " + message);
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  /** A W3C trace context as an HTTP request span hands it to its query's model calls. */
  private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void everyActorMessageRoundTripsThroughKryo() {
    TestProbe<Object> probe = kit.createTestProbe();
    var ref = probe.getRef().<QueryActor.Reply>unsafeUpcast();
    Query query = new Query("q1", List.of(ChatMessage.user("2+2?")), "math", new Budget(0.1, 3, 1000));
    BackendRequest request = new BackendRequest("q1/1", "m", query.messages(), query.text(), 0);
    Query toolQuery = toolQuery();
    BackendRequest toolRequest = new BackendRequest("q2/1", "m", toolQuery.messages(), toolQuery.text(), 64,
        toolQuery.params());
    PolicySnapshot snapshot = new PolicySnapshot("p", 2, 7, Map.of("w", new double[] {1, 2}), 5);
    QueryResult result = new QueryResult("q1", "p", "4", "m", List.of("m"), 1, 0.002, 12, 3, 5, null, episode());
    List<Object> messages = List.of(
        request,
        toolRequest,
        new QueryActor.Submit(toolQuery, "p", Durability.DURABLE, false, ref),
        new ModelPool.CallAnswered("q2/1", toolCallResponse()),
        new QueryActor.Submit(query, "p", Durability.DURABLE, true, ref),
        new QueryActor.Watch(ref),
        new QueryActor.GiveFeedback(new Feedback("q1", 1, "user"), probe.getRef().unsafeUpcast()),
        new QueryActor.GetStatus(probe.getRef().unsafeUpcast()),
        QueryActor.Resume.INSTANCE,
        new QueryActor.StepMade("q1", 0, EpisodeStep.generated(1, response())),
        new QueryActor.Completed(result),
        new QueryActor.Refused("OVERLOADED", "full", 100),
        new QueryActor.FeedbackOutcome(true, false, true, false, "ok"),
        new QueryActor.Status("q1", true, true, true, result.episode().steps(), 1, null, result),
        new ModelPool.Call(request, probe.getRef().unsafeUpcast()),
        new ModelPool.Call(request, probe.getRef().unsafeUpcast(), 1_500, "tenant-a"),
        new ModelPool.GetLoad(probe.getRef().unsafeUpcast()),
        ModelPool.Wake.INSTANCE,
        new ModelPool.WorkerFinished(0, "q1/1", response(), null, null, -1, 12),
        new ModelPool.CallAnswered("q1/1", response()),
        new ModelPool.CallFailed("q1/1", "m", FailureKind.POOL_FULL, "full", 200),
        new ModelPool.WorkerFinished(0, "q1/2", null, FailureKind.STREAM_BROKEN, "reset", -1, 12),
        new Worker.Run(request.withStreamTokens(), probe.getRef().unsafeUpcast()),
        new ModelPool.TokensArrived("q1/1", 0, "Par"),
        new QueryActor.Submit(query, "p", Durability.EPHEMERAL, true, true, ref),
        new QueryActor.Submit(query, "p", Durability.EPHEMERAL, false, false, ref, TRACEPARENT),
        new ModelPool.Call(request.withTraceparent(TRACEPARENT), probe.getRef().unsafeUpcast()),
        new QueryActor.TokensStreamed("q1", 1, "m", 0, "Par"),
        new Learner.Learn(episode()),
        new Learner.Promote(probe.getRef().unsafeUpcast()),
        new Learner.Promoted("p", 3),
        new Learner.GetPolicy(probe.getRef().unsafeUpcast()),
        new PolicyPublished("p", snapshot, snapshot),
        new OpenQueries.Opened("q1", probe.getRef().unsafeUpcast()),
        new OpenQueries.Registered("q1"),
        new OpenQueries.Closed("q1"),
        new QueryActor.Cancel("job j1 cancelled"),
        new OpenQueries.JobOpened("j1", probe.getRef().unsafeUpcast()),
        new OpenQueries.JobClosed("j1"),
        new JobActor.Submit(jobSpec(), probe.getRef().unsafeUpcast()),
        new JobActor.Get(probe.getRef().unsafeUpcast()),
        new JobActor.Cancel(probe.getRef().unsafeUpcast()),
        new JobActor.Watch(3, probe.getRef().unsafeUpcast()),
        JobActor.Resume.INSTANCE,
        new JobActor.Accepted(jobView(result), true),
        new JobActor.Conflict("different request"),
        new JobActor.Refused("registry down", 1000),
        new JobUpdate("j1", 4, "step", 0, "j1/step-0", EpisodeStep.generated(1, response()), result, jobView(result)));
    for (Object message : messages) {
      Object back = roundTrip(message, KryoSerializer.class.getSimpleName());
      if (message instanceof PolicyPublished p) {
        PolicyPublished b = (PolicyPublished) back;
        assertArrayEquals(p.active().parameter("w"), b.active().parameter("w"));
      } else {
        assertEquals(message.toString(), back.toString(), "round trip of " + message.getClass().getSimpleName());
      }
    }
    // Internal messages are registered too (they cross the serialize-messages check in tests).
    assertTrue(messages.size() >= 25);
  }

  /** A query with every generation field and a tool-calling conversation. */
  static Query toolQuery() {
    GenerationParams params = new GenerationParams(
        "[{\"type\":\"function\",\"function\":{\"name\":\"weather\"}}]", "\"auto\"", true,
        "{\"type\":\"json_object\"}", 0.2, 0.9, "\"END\"", 7L, 0.5, -0.5, "{\"50256\":-100}", "alice");
    return new Query("q2", List.of(ChatMessage.user("Weather?"),
        new ChatMessage("assistant", "", "[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":"
            + "\"weather\",\"arguments\":\"{}\"}}]", null, null),
        new ChatMessage("tool", "18C", null, "c1", "weather")), null, Budget.unlimited(), 64, params);
  }

  static Response toolCallResponse() {
    return new Response("m", "", 30, 12, 100, 0.0001, 0, null, null, null,
        "[{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]",
        "tool_calls");
  }

  static JobSpec jobSpec() {
    return new JobSpec("j1", "p", List.of(List.of(ChatMessage.user("a")), List.of(ChatMessage.user("b"))), "math",
        new Budget(0.5, 4, 60_000));
  }

  static JobView jobView(QueryResult result) {
    return new JobView("j1", true, "p", JobStatus.RUNNING, false, 2, new Budget(0.5, 4, 60_000), 1, 0, "4", "m",
        0.002, 1, null, null, List.of(new JobView.StepView(0, "j1/step-0", Budget.unlimited(),
            result.episode().steps(), result)));
  }

  static QueryResult queryResult() {
    return new QueryResult("j1/step-0", "p", "4", "m", List.of("m"), 1, 0.001, 5.0, 10, 20, null, episode());
  }

  @Test
  void aRegistrySnapshotWrittenBeforeJobsExistedReadsAsNoJobs() throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    OpenQueries.State old = mapper.readValue("{\"open\": [\"q1\"]}", OpenQueries.State.class);
    assertEquals(Set.of("q1"), old.open());
    assertEquals(Set.of(), old.jobs());
  }

  @Test
  void everyJournalEventAndSnapshotRoundTripsThroughJackson() {
    Query query = new Query("q1", List.of(ChatMessage.user("2+2?")), "math", new Budget(0.1, 3, 1000));
    List<EpisodeStep> decisions = List.of(EpisodeStep.decision(0, Stage.PRE_ROUTE, "m", "route", 0.7),
        EpisodeStep.decision(0, Stage.THINK, null, "nan signal", Double.NaN));
    List<Object> events = List.of(
        new QueryEvent.QueryAccepted(query, "p", 4, 1),
        new QueryEvent.QueryAccepted(toolQuery(), "p", 4, 1),
        new QueryEvent.ModelAnswered(2, toolCallResponse(), 3),
        new QueryEvent.ModelRouted(1, "m", null, decisions, 2),
        new QueryEvent.ModelAnswered(1, response(), 3),
        new QueryEvent.AttemptFailed(2, "m", true, "POOL_FULL", "full", 200, 4),
        new QueryEvent.QueryAnswered("4", "m", decisions, 5),
        new QueryEvent.QueryAbstained("none", decisions, 6),
        new QueryEvent.FeedbackReceived(1.0, "user", 7),
        new Learner.EpisodeLearned(episode(), 8),
        new Learner.CandidatePromoted(3, 9),
        new OpenQueries.QueryOpened("q1"),
        new OpenQueries.QueryClosed("q1"),
        new QueryEvent.QueryCancelled("job j1 cancelled", 10),
        new OpenQueries.JobRegistered("j1"),
        new OpenQueries.JobUnregistered("j1"),
        new OpenQueries.State(Set.of("q1", "q2"), Set.of("j1")),
        new JobEvent.JobAccepted(new JobSpec("j1", "p", List.of(List.of(ChatMessage.user("a")),
            List.of(ChatMessage.user("b"))), "math", new Budget(0.5, 4, 60_000)), 11),
        new JobEvent.StepStarted(0, "j1/step-0", new Budget(0.5, 4, 59_000), 12),
        new JobEvent.StepFinished(0, queryResult(), 13),
        new JobEvent.CancelRequested(14),
        new JobEvent.JobEnded(JobStatus.FAILED, "budget_exhausted", "budget of 4 model calls used", 15));
    for (Object event : events) {
      Object back = roundTrip(event, "JacksonJsonSerializer");
      assertEquals(event.toString(), back.toString(), "round trip of " + event.getClass().getSimpleName());
    }
    PolicySnapshot snapshot = new PolicySnapshot("p", 2, 7, Map.of("w", new double[] {1, 2}), 5);
    Learner.State state = new Learner.State(2, snapshot, snapshot);
    Learner.State back = (Learner.State) roundTrip(state, "JacksonJsonSerializer");
    assertEquals(2, back.version());
    assertEquals(2, back.latest().version());
    assertEquals(7, back.latest().episodes());
    assertArrayEquals(new double[] {1, 2}, back.latest().parameter("w"));
  }
}
