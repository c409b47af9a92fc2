package dev.switchyard.simulator.backend;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.fleet.BackendFactory;
import dev.switchyard.actors.fleet.ConfigProblem;
import dev.switchyard.actors.fleet.ConfigValues;
import dev.switchyard.actors.fleet.ModelSpec;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.data.DataFormatException;
import dev.switchyard.strategies.data.RecordedDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code backend = replay}: a simulated model that replays the recorded outcomes of {@code data} (a
 * queries.jsonl) for the model recorded there as {@code recorded-as} (else its own id), with the simulator's
 * latency model scaled by {@code latency-scale}, on {@code replicas} simulated GPU replicas. Explicit in the
 * configuration, never a silent stand-in for a real model; a call costs its recorded tokens at the configured
 * price.
 */
public final class ReplayBackendFactory implements BackendFactory {
  public static final String KIND = "replay";
  private static final Set<String> KEYS = Set.of("data", "latency-scale", "replicas");

  private final Config simulator;
  private final Path baseDir;
  private final long seed;
  private final Map<Path, RecordedDataset> loaded = new ConcurrentHashMap<>();

  /**
   * @param simulator {@code switchyard.simulator} (latency model, personas, replay settings)
   * @param baseDir relative {@code data} paths are resolved against it (the configuration file's folder)
   */
  public ReplayBackendFactory(Config simulator, Path baseDir, long seed) {
    this.simulator = simulator;
    this.baseDir = baseDir;
    this.seed = seed;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> keys() {
    return KEYS;
  }

  @Override
  public List<ConfigProblem> check(String modelId, String path, Config entry) {
    List<ConfigProblem> out = new ArrayList<>();
    if (!entry.hasPath("data") || entry.getValue("data").valueType() != ConfigValueType.STRING) {
      out.add(new ConfigProblem(path + ".data", "a replay model needs data: the queries.jsonl it replays"));
    } else {
      Path file = baseDir.resolve(entry.getString("data")).toAbsolutePath().normalize();
      try {
        RecordedDataset data = load(file);
        String recorded = entry.hasPath("recorded-as") ? entry.getString("recorded-as") : null;
        String id = recorded != null ? recorded : modelId;
        if (!data.models().contains(id)) {
          out.add(new ConfigProblem(path + (recorded != null ? ".recorded-as" : ".data"), "'" + id + "' is not a"
              + " model of " + file + (recorded != null ? "" : " (set recorded-as to its id there)") + "; it holds: "
              + String.join(", ", data.models())));
        }
      } catch (DataFormatException e) {
        out.add(new ConfigProblem(path + ".data", e.getMessage()));
      }
    }
    ConfigValues.nonNegative(entry, "latency-scale", path, out);
    ConfigValues.positiveInt(entry, "replicas", path, out);
    return out;
  }

  @Override
  public List<InferenceBackend> create(ModelSpec spec, ModelCard card) {
    Path file = baseDir.resolve(spec.entry().getString("data")).toAbsolutePath().normalize();
    String recorded = spec.recordedAs() != null ? spec.recordedAs() : spec.id();
    RecordedDataset data = load(file).renamed(Map.of(spec.id(), recorded), Map.of(spec.id(), spec::priceUsd));
    Config replay = simulator.getConfig("replay");
    PromptIndex index = new PromptIndex(data, replay.getInt("feature-dimension"), replay.getInt("nearest-cache-size"));
    LatencyModel latency = LatencyModel.fromConfig(simulator.getConfig("latency"));
    PersonaSettings personas = PersonaSettings.fromConfig(simulator.getConfig("personas"));
    List<InferenceBackend> out = new ArrayList<>();
    for (int r = 0; r < spec.entry().getInt("replicas"); r++) {
      out.add(ReplayBackend.builder(spec.id(), index)
          .replica(r)
          .card(card)
          .latencyModel(latency)
          .personaSettings(personas)
          .latencyScale(spec.entry().getDouble("latency-scale"))
          .seed(seed)
          .idempotencyCapacity(replay.getInt("idempotency-capacity"))
          .callLogCapacity(replay.getInt("call-log-capacity"))
          .build());
    }
    return out;
  }

  private RecordedDataset load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataFormatException("no such file: " + file);
    }
    return loaded.computeIfAbsent(file, RecordedDataset::load);
  }
}
