package dev.switchyard.protocol.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.GenerationParams;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every protocol record (and the JDK types with fixed ids) survives a Kryo round trip with the wire ids. */
class ProtocolKryoRoundTripTest {
  private final Kryo kryo = KryoSerializer.newKryo(() -> {
    throw new IllegalStateException("no actor refs in this test");
  }, List.of(new ProtocolKryoRegistrar()));

  private Object roundTrip(Object value) {
    Output out = new Output(1024, -1);
    kryo.writeClassAndObject(out, value);
    return kryo.readClassAndObject(new Input(out.toBytes()));
  }

  static Response response() {
    return new Response("m", "4", 3, 5, 12.5, 0.002, 0.4, null, 1.0, "note");
  }

  @Test
  void everyProtocolRecordRoundTrips() {
    Query query = new Query("q1", List.of(ChatMessage.user("2+2?"), new ChatMessage("system", "be brief")),
        "math", new Budget(0.1, 3, 1000));
    Episode episode = new Episode("q1", "p", "math", "2+2?", List.of(EpisodeStep.generated(1, response()),
        EpisodeStep.decision(1, Stage.VERIFY, null, "confidence", Double.NaN)), "m", "4", 0.002, 12, null, 3, 10, 22);
    List<Object> values = List.of(
        ChatMessage.user("hi"), new Budget(0.5, 2, 100), query,
        new ModelCard("m", 0.1, 0.2, 8192, 300, 0.5, Map.of("params_b", 7.0)),
        response(), new PoolLoad("m", 1, 2, 10, 33.3, 0.1, true, 99), Stage.REJECTED,
        EpisodeStep.decision(0, Stage.PRE_ROUTE, "m", "route", 0.7), episode, new Feedback("q1", 0.5, "grader"),
        Durability.DURABLE,
        new QueryResult("q1", "p", "4", "m", List.of("m"), 1, 0.002, 12, 3, 5, null, episode),
        UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), Optional.of("x"), Instant.ofEpochMilli(5),
        Duration.ofMillis(7));
    for (Object value : values) {
      assertEquals(value.toString(), roundTrip(value).toString(), value.getClass().getSimpleName());
    }
    for (Object value : List.of(toolQuery(), toolCallResponse())) {
      assertEquals(value, roundTrip(value), value.getClass().getSimpleName());
    }
    PolicySnapshot snapshot = new PolicySnapshot("p", 2, 7, Map.of("w", new double[] {1, 2}), 5);
    PolicySnapshot back = (PolicySnapshot) roundTrip(snapshot);
    assertEquals(2, back.version());
    assertArrayEquals(new double[] {1, 2}, back.parameter("w"));
  }

  /** A query with every generation field and a tool-calling conversation, as a chat completion request gives. */
  static Query toolQuery() {
    GenerationParams params = new GenerationParams(
        "[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":{\"type\":\"object\"}}}]",
        "\"auto\"", false, "{\"type\":\"json_object\"}", 0.2, 0.9, "[\"END\"]", 7L, 0.5, -0.5,
        "{\"50256\":-100}", "alice");
    List<ChatMessage> messages = List.of(ChatMessage.user("Weather in Paris?"),
        new ChatMessage("assistant", "", "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
            + "\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]", null, null),
        new ChatMessage("tool", "18C", null, "call_1", "weather"));
    return new Query("q2", messages, null, Budget.unlimited(), 64, params);
  }

  static Response toolCallResponse() {
    return new Response("m", "", 30, 12, 100, 0.0001, 0, null, null, null,
        "[{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]",
        "tool_calls");
  }

  @Test
  void protocolIdsAreFixed() {
    assertEquals(113, kryo.getRegistration(GenerationParams.class).getId());
    assertEquals(100, kryo.getRegistration(ChatMessage.class).getId());
    assertEquals(102, kryo.getRegistration(Query.class).getId());
    assertEquals(112, kryo.getRegistration(QueryResult.class).getId());
    assertEquals(33, kryo.getRegistration(UUID.class).getId());
  }

  @Test
  void anUnregisteredClassFailsLoudly() {
    record Unregistered(int x) {}
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> roundTrip(new Unregistered(1)));
    assertTrue(e.getMessage().contains("Class is not registered"), e.getMessage());
  }
}
