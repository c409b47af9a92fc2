package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.fleet.ConfigProblem;
import dev.switchyard.actors.fleet.FleetConfig;
import dev.switchyard.ops.SwitchyardConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** {@code backend = openai} entries: one endpoint or replicas, each checked, the key never printed. */
class OpenAiBackendFactoryTest {
  private static Config withDefaults(String hocon) {
    return SwitchyardConfig.load(Map.of(), ConfigFactory.parseString(hocon));
  }

  private static List<String> problems(String hocon) {
    Config config = withDefaults(hocon);
    return FleetConfig.check(config, null, ConfigFactory.defaultReference(),
            Map.of("openai", new OpenAiBackendFactory(null)), java.nio.file.Path.of("."))
        .problems().stream().map(ConfigProblem::line).toList();
  }

  @Test
  void replicasBecomeOneWorkerEachWithTheirOwnKeyAndRemoteModel() throws Exception {
    Config config = withDefaults("""
        switchyard.models.llama {
          price { input-per-mtok = 0.2, output-per-mtok = 0.6 }
          endpoints = [
            { base-url = "http://127.0.0.1:8001/v1", remote-model = "meta-llama/Llama-3.1-8B-Instruct" },
            { base-url = "http://127.0.0.1:8002/v1", api-key = "sk-live-abc" } ]
          timeout = 30s
          connect-timeout = 2s
        }
        """);
    var checked = FleetConfig.check(config, null, ConfigFactory.defaultReference(),
        Map.of("openai", new OpenAiBackendFactory(null)), java.nio.file.Path.of("."));
    assertEquals(List.of(), checked.problems());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "factory-test");
    try {
      var spec = checked.fleet().models().get(0);
      List<InferenceBackend> workers = new OpenAiBackendFactory(system).create(spec,
          new dev.switchyard.protocol.ModelCard("llama", 0.2, 0.6, 128000, 0, 0, Map.of()));
      assertEquals(2, workers.size());
      assertTrue(workers.stream().allMatch(w -> w.modelId().equals("llama")));
      assertFalse(workers.toString().contains("sk-live-abc"), workers.toString());
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void eachMistakeIsNamedWithItsKeyPath() {
    assertEquals(List.of("switchyard.models.m.base-url: must be an http(s) URL, got 'ftp://x'"),
        problems("switchyard.models.m { base-url = \"ftp://x\", price { input-per-mtok = 1, output-per-mtok = 1 } }"));
    assertEquals(List.of("switchyard.models.m: an openai model needs base-url (e.g. \"http://127.0.0.1:8000/v1\")"
            + " or endpoints = [{ base-url = ... }]"),
        problems("switchyard.models.m { price { input-per-mtok = 1, output-per-mtok = 1 } }"));
    List<String> typo = problems("switchyard.models.m { base-url = \"http://h/v1\", api-kye = x,"
        + " price { input-per-mtok = 1, output-per-mtok = 1 } }");
    assertEquals(1, typo.size(), typo.toString());
    assertTrue(typo.get(0).startsWith("switchyard.models.m.api-kye: unknown key (did you mean 'api-key'?)"), typo.get(0));
    assertEquals(List.of("switchyard.models.m.endpoints.0.weight: unknown key; an endpoint has base-url, api-key,"
            + " remote-model"),
        problems("switchyard.models.m { endpoints = [{ base-url = \"http://h/v1\", weight = 2 }],"
            + " price { input-per-mtok = 1, output-per-mtok = 1 } }"));
    assertEquals(List.of("switchyard.models.m.connection-pools: must be at most max-connections (2), got 4"),
        problems("switchyard.models.m { base-url = \"http://h/v1\", max-connections = 2, connection-pools = 4,"
            + " price { input-per-mtok = 1, output-per-mtok = 1 } }"));
  }
}
