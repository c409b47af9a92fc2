package dev.switchyard.simulator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.simulator.backend.FaultPersona;
import dev.switchyard.simulator.backend.LatencyModel;
import dev.switchyard.simulator.backend.PersonaSettings;
import dev.switchyard.simulator.backend.PromptIndex;
import dev.switchyard.simulator.backend.ReplayBackend;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A simulated fleet for one node: a replaying backend per model replica and the standard pipelines
 * ({@code switchyard/cascade}, {@code switchyard/bandit}, ...) trained on the data's train split.
 *
 * <p>Model cards come from the train split ({@link ModelCatalog#fromRecorded}); every replica answers any
 * recorded prompt of either split (the engine is judged on test prompts it was not fitted on). Configuration:
 * {@code switchyard.simulator.*} and {@code switchyard.simulator.pipelines.*} (reference.conf of this module).
 */
public final class SimulatedFleet {
  private SimulatedFleet() {}

  /**
   * @param latencyScale multiplies recorded latencies (0 = as fast as possible)
   * @param replicasPerModel workers per model pool
   * @param faults fault persona per model id (e.g. {@code flaky-50}); models not named are healthy
   */
  public record Options(double latencyScale, long seed, int replicasPerModel, Map<String, String> faults) {
    public Options {
      if (!(latencyScale >= 0) || Double.isInfinite(latencyScale)) {
        throw new IllegalArgumentException("latency scale must be a finite number >= 0, got " + latencyScale);
      }
      if (replicasPerModel < 1) {
        throw new IllegalArgumentException("replicas per model must be >= 1, got " + replicasPerModel);
      }
      faults = faults == null ? Map.of() : Map.copyOf(faults);
    }
  }

  /** Everything built, for callers that need the replicas (chaos, call logs) besides the engine setup. */
  public record Fleet(EngineSetup setup, RecordedDataset train, RecordedDataset test, List<ModelCard> cards,
      Map<String, List<ReplayBackend>> replicas, PromptIndex index) implements AutoCloseable {
    /** Sets the persona of every replica of a model. */
    public void setPersona(String model, FaultPersona persona) {
      List<ReplayBackend> list = replicas.get(model);
      if (list == null) {
        throw new IllegalArgumentException("unknown model " + model + "; models: " + replicas.keySet());
      }
      list.forEach(b -> b.setPersona(persona));
    }

    /**
     * The ledger check I3 of reliability-plan.md over every replica: attempt ids executed to a billable answer
     * more than once (on one replica or across replicas), with their count. Empty when no attempt was billed
     * twice (within the call logs' memory).
     */
    public Map<String, Integer> attemptsBilledMoreThanOnce() {
      Map<String, Integer> total = new java.util.TreeMap<>();
      replicas.values().forEach(list -> list.forEach(b -> b.callLog().billableByAttempt()
          .forEach((id, n) -> total.merge(id, n, Integer::sum))));
      total.values().removeIf(n -> n < 2);
      return total;
    }

    /** Calls made to every replica, of all models. */
    public long totalCalls() {
      return replicas.values().stream().flatMap(List::stream).mapToLong(b -> b.callLog().totalCalls()).sum();
    }

    @Override
    public void close() {
      replicas.values().forEach(list -> list.forEach(ReplayBackend::close));
    }
  }

  public static EngineSetup setup(RecordedDataset data, Options options) {
    return build(data, options, ConfigFactory.load()).setup();
  }

  public static Fleet build(RecordedDataset data, Options options, Config config) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(options, "options");
    Config sim = config.getConfig("switchyard.simulator");
    RecordedDataset train = data.split("train");
    RecordedDataset test = hasSplit(data, "test") ? data.split("test") : train;
    List<ModelCard> cards = ModelCatalog.fromRecorded(train);
    Map<String, FaultPersona> personas = new LinkedHashMap<>();
    options.faults().forEach((model, name) -> {
      if (!data.models().contains(model)) {
        throw new IllegalArgumentException("fault for unknown model '" + model + "'; models: " + data.models());
      }
      personas.put(model, FaultPersona.parse(name));
    });
    Config replay = sim.getConfig("replay");
    PromptIndex index = new PromptIndex(data, replay.getInt("feature-dimension"),
        replay.getInt("nearest-cache-size"));
    LatencyModel latency = LatencyModel.fromConfig(sim.getConfig("latency"));
    PersonaSettings personaSettings = PersonaSettings.fromConfig(sim.getConfig("personas"));
    Map<String, List<ReplayBackend>> replicas = new LinkedHashMap<>();
    Map<String, List<InferenceBackend>> backends = new LinkedHashMap<>();
    for (ModelCard card : cards) {
      List<ReplayBackend> list = new ArrayList<>();
      for (int r = 0; r < options.replicasPerModel(); r++) {
        list.add(ReplayBackend.builder(card.id(), index)
            .replica(r)
            .card(card)
            .latencyModel(latency)
            .personaSettings(personaSettings)
            .latencyScale(options.latencyScale())
            .seed(options.seed())
            .persona(personas.getOrDefault(card.id(), FaultPersona.healthy()))
            .idempotencyCapacity(replay.getInt("idempotency-capacity"))
            .callLogCapacity(replay.getInt("call-log-capacity"))
            .build());
      }
      replicas.put(card.id(), List.copyOf(list));
      backends.put(card.id(), List.copyOf(list));
    }
    var pipelines = Pipelines.standard(new Pipelines.Context(train, cards,
        config.getConfig("switchyard.simulator.pipelines"), options.seed()));
    return new Fleet(new EngineSetup(cards, backends, pipelines), train, test, cards, replicas, index);
  }

  private static boolean hasSplit(RecordedDataset data, String split) {
    return data.queries().stream().anyMatch(q -> q.split().equals(split));
  }
}
