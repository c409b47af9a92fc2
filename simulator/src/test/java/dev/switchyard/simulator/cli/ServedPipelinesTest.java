package dev.switchyard.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.simulator.Pipelines;
import dev.switchyard.simulator.SimulatedFleet;
import dev.switchyard.simulator.SyntheticFleet;
import dev.switchyard.strategies.data.RecordedDataset;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every standard pipeline is served by a one-node engine: a query goes through each, each learner learns from
 * its episode, and its state survives the journal (a Jackson snapshot after every episode) and the board
 * (every message serialized, so the published snapshots go through Kryo): after a restart on the same state
 * directory each learner is at the version it had, and answers again.
 */
class ServedPipelinesTest {
  @TempDir
  Path stateDir;

  static final Config CONFIG = ConfigFactory.parseString("""
      switchyard.learner.snapshot-every = 1
      switchyard.simulator.node.pekko.actor.serialize-messages = on
      """).withFallback(ConfigFactory.load());

  @Test
  void everyPipelineAnswersAndEveryLearnerKeepsWhatItLearnedAcrossARestart() throws Exception {
    RecordedDataset data = new SyntheticFleet(3).generate(400, 0.5);
    Map<String, Long> learnedVersions = new LinkedHashMap<>();
    try (SimulatedFleet.Fleet fleet = SimulatedFleet.build(data, new SimulatedFleet.Options(0, 1, 1, Map.of()),
        CONFIG)) {
      List<PipelineDefinition> pipelines = fleet.setup().pipelines();
      assertEquals(Pipelines.names(), pipelines.stream().map(PipelineDefinition::name).toList());
      String prompt = fleet.test().queries().get(0).prompt();
      try (EngineLauncher.Running running = new LocalEngine().start(fleet.setup(), stateDir, CONFIG)) {
        Engine engine = running.engine();
        int n = 0;
        for (PipelineDefinition p : pipelines) {
          QueryResult r = answer(engine, "first-" + n++, prompt, p.name());
          assertNotNull(r.answerModel(), p.name() + " answered: " + r);
          if (p.isLearned()) {
            assertNotNull(r.episode().score(), p.name() + ": the replayed answer carries its recorded score");
            learnedVersions.put(p.name(), awaitLearned(engine, p.name()));
          }
        }
      }
      assertEquals(pipelines.stream().filter(PipelineDefinition::isLearned).count(), learnedVersions.size());
      try (EngineLauncher.Running running = new LocalEngine().start(fleet.setup(), stateDir, CONFIG)) {
        Engine engine = running.engine();
        int n = 0;
        for (Map.Entry<String, Long> e : learnedVersions.entrySet()) {
          assertEquals(e.getValue(), awaitLearned(engine, e.getKey()), e.getKey() + " recovered its version");
          QueryResult again = answer(engine, "again-" + n++, prompt, e.getKey());
          assertNotNull(again.answerModel(), e.getKey() + " answers after the restart");
        }
      }
    }
  }

  static QueryResult answer(Engine engine, String id, String prompt, String pipeline) throws Exception {
    return engine.answer(new Query(id, List.of(ChatMessage.user(prompt)), null, null), pipeline,
        Durability.EPHEMERAL).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The learner's acting version once it has learned at least one episode (auto promotion: the newest). */
  static long awaitLearned(Engine engine, String pipeline) throws Exception {
    for (int attempt = 0; attempt < 300; attempt++) {
      long version = engine.promote(pipeline).toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (version >= 1) {
        return version;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(pipeline + " never learned its episode");
  }
}
