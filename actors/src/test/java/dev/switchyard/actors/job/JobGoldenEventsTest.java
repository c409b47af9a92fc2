package dev.switchyard.actors.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.query.QueryEvent;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * Checked-in v1 job events (src/test/resources/events/v1/golden-job.jsonl, Jackson JSON as the journal stores
 * them) still deserialize and fold into the state they recorded, and their event numbering is stable. Changing a
 * job event class means a migration, never editing the fixture.
 */
@ExtendWith(LogCapturingExtension.class)
class JobGoldenEventsTest {

  static List<Object> fixture() throws Exception {
    ActorTestKit kit = ActorTestKit.create("job-golden",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(NodeConfig.load()));
    try {
      var serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
      int jackson = serialization.serializerFor(JobEvent.class).identifier();
      ObjectMapper mapper = new ObjectMapper();
      List<Object> events = new ArrayList<>();
      try (InputStream in = JobGoldenEventsTest.class.getResourceAsStream("/events/v1/golden-job.jsonl")) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            JsonNode node = mapper.readTree(line);
            events.add(serialization.deserialize(mapper.writeValueAsBytes(node.get("event")), jackson,
                node.get("manifest").asText()).get());
          }
        }
      }
      return events;
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void version1JobEventsReplayIntoTheRecordedCancelledJob() throws Exception {
    List<Object> events = fixture();
    JobState state = JobState.none();
    for (Object e : events.subList(0, 7)) {
      state = state.apply((JobEvent) e);
    }
    assertEquals(JobStatus.CANCELLED, state.status());
    assertEquals("cancelled", state.endCode());
    assertTrue(state.cancelRequested());
    assertEquals(3, state.spec().steps().size());
    assertEquals(2, state.steps().size());
    assertEquals(0.0001, state.spentUsd(), 1e-12);
    assertEquals(1, state.roundsUsed());
    assertEquals("Canberra", state.bestAnswer().orElseThrow().answer());
    assertEquals(1, state.steps().get(1).budget().maxRounds(), "step 1 got the rounds left");
    assertTrue(state.steps().get(1).result().abstained());

    List<String> types = state.updates(List.of()).stream().map(JobUpdate::type).toList();
    assertEquals(List.of("accepted", "step_started", "step", "step", "step", "step", "step_finished",
        "step_started", "step", "step_finished", "cancelled"), types);

    QueryEvent.QueryCancelled cancelled = assertInstanceOf(QueryEvent.QueryCancelled.class, events.get(8));
    assertEquals("job golden-job cancelled", cancelled.reason());
    assertNull(state.runningStep().orElse(null));
  }
}
