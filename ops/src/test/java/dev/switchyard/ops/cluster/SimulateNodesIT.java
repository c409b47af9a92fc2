package dev.switchyard.ops.cluster;

import static dev.switchyard.ops.SwitchyardCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.ops.SwitchyardCliTest.Run;
import dev.switchyard.simulator.cli.DataLocator;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code switchyard simulate --nodes 3 --kill-node-at ...} for real: three serve JVMs of one cluster (started by
 * {@code cluster up}) replay the shared recording; the simulation's queries go through all three nodes' HTTP API;
 * node 3 is SIGKILLed mid-run; what it was working on is re-sent to and answered by the other two, and at the end
 * the cluster is stopped.
 */
class SimulateNodesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void queriesAreAnsweredAcrossTheNodesAndTheKilledNodesWorkIsFinishedByTheOthers() throws Exception {
    Optional<Path> data = DataLocator.standard().locate(null, ConfigFactory.load()).file();
    assumeTrue(data.isPresent(), "skipped: the shared recording (shared/data/zellinger-cascade9/queries.jsonl) is"
        + " not here; simulate --nodes replays it on every node");
    // Not under the JUnit temp dir: the PostgreSQL server runs as the postgres user, which must reach its directory.
    Path state = Path.of("target", "simulate-nodes-" + System.nanoTime()).toAbsolutePath();
    Path report = state.resolve("report.json");
    Run r = run("simulate", "--nodes", "3", "--kill-node-at", "4s:3", "--data", data.get().toString(),
        "--rate", "8", "--duration", "10s", "--latency-scale", "1", "--seed", "7", "--no-progress",
        "--state-dir", state.toString(), "--out", report.toString());
    assertEquals(0, r.exit(), r.out() + r.err());

    JsonNode json = JSON.readTree(report.toFile());
    int offered = json.path("offered").asInt();
    assertTrue(offered > 40, json.toString());
    assertEquals(0, json.path("shed").asInt(), json.toString());
    assertEquals(0, json.path("failures").size(), "every query answered: " + json.path("failures"));
    int answeredOrAbstained = json.path("answered").asInt() + json.path("abstained").asInt();
    assertEquals(offered, answeredOrAbstained, json.toString());
    assertTrue(json.path("chaosApplied").toString().contains("node-3 killed"), json.path("chaosApplied").toString());

    JsonNode nodes = json.path("nodes");
    assertEquals(3, nodes.size(), nodes.toString());
    int answeredByNodes = 0;
    int takenOver = 0;
    for (JsonNode node : nodes) {
      assertTrue(node.path("answered").asInt() > 0, "every node answered some: " + nodes);
      answeredByNodes += node.path("answered").asInt();
      takenOver += node.path("resentHere").asInt();
    }
    // each query answered once, by the node that answered it
    assertEquals(answeredOrAbstained, answeredByNodes, nodes.toString());
    JsonNode killed = nodes.path(2);
    assertEquals("node-3", killed.path("node").asText());
    assertTrue(killed.path("killed").asBoolean(), nodes.toString());
    // it had work in flight when it died, and all of that was finished by nodes 1 and 2
    assertTrue(killed.path("failed").asInt() > 0, nodes.toString());
    assertEquals(killed.path("sent").asInt(), killed.path("answered").asInt() + killed.path("failed").asInt(),
        nodes.toString());
    assertTrue(takenOver >= killed.path("failed").asInt(), nodes.toString());

    // and the cluster is gone
    for (JsonNode node : JSON.readTree(ClusterCommand.descriptor(state.resolve("cluster")).toFile()).get("nodes")) {
      assertFalse(ClusterCommand.isServeNode(node.get("pid").asLong()), node.toString());
    }
  }
}
