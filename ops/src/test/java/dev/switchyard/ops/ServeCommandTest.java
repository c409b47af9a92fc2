package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.ops.http.OpenAiBackendSettings;
import dev.switchyard.ops.http.OpenAiCompatibleBackend;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How `serve` puts real models in place of simulated ones. */
class ServeCommandTest {
  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "serve-test", ConfigFactory.load());
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  record Simulated(String modelId) implements InferenceBackend {
    @Override
    public CompletionStage<Response> complete(dev.switchyard.actors.backend.BackendRequest request) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("not called"));
    }
  }

  private static EngineSetup simulatedSetup() {
    ModelCard small = new ModelCard("small", 0.1, 0.1, 4096, 50, 0.1, Map.of());
    ModelCard big = new ModelCard("big", 2.5, 10, 128000, 400, 2.0, Map.of());
    return new EngineSetup(List.of(small, big),
        Map.of("small", List.of(new Simulated("small"), new Simulated("small")), "big", List.of(new Simulated("big"))),
        List.of());
  }

  private static List<OpenAiBackendSettings> configured(String model) {
    return OpenAiBackendSettings.allFromConfig(ConfigFactory.parseString(
        "switchyard.openai-backends = [{ model = \"" + model + "\", base-url = \"http://127.0.0.1:9/v1\" }]")
        .withFallback(ConfigFactory.load()).resolve());
  }

  @Test
  void configuredModelsGetOneRealBackendAndOthersKeepTheirSimulatedOnes() {
    EngineSetup simulated = simulatedSetup();
    EngineSetup mixed = ServeCommand.withRealBackends(simulated, system, configured("big"));

    assertEquals(1, mixed.backends().get("big").size());
    assertTrue(mixed.backends().get("big").get(0) instanceof OpenAiCompatibleBackend);
    assertEquals("big", mixed.backends().get("big").get(0).modelId());
    assertEquals(simulated.backends().get("small"), mixed.backends().get("small"));
    assertEquals(simulated.models(), mixed.models());
  }

  @Test
  void noConfiguredBackendsLeavesTheSetupAsItIs() {
    EngineSetup simulated = simulatedSetup();
    assertSame(simulated, ServeCommand.withRealBackends(simulated, system, List.of()));
  }

  @Test
  void aBackendForAModelWithoutCardIsRefusedByName() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> ServeCommand.withRealBackends(simulatedSetup(), system, configured("gpt-5")));
    assertTrue(e.getMessage().contains("'gpt-5'") && e.getMessage().contains("small"), e.getMessage());
  }
}
