package dev.switchyard.strategies.artifact;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.bandit.RewardModel;
import dev.switchyard.strategies.learn.OnlineLearner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A strategy fitted once ({@code switchyard train}) and served from the file without fitting again: what was
 * fitted ({@code strategy}, its default {@code costWeight}, its other {@code params}, the {@code models} it routes
 * between, as the data names them), on what ({@link DataFingerprint}), how it did on the held-out split
 * ({@code frontier}), and the state itself: for an offline strategy its {@link FittedState}, for an online
 * learner its {@link LearnerState} (the parameters of a PolicySnapshot, named with the data's model ids), exactly
 * one of the two. Written and read by Jackson; {@link #read} and {@link #parse} check the format version and the
 * fields before anything is served from it.
 */
@JsonPropertyOrder({"formatVersion", "strategy", "costWeight", "params", "models", "data", "frontier",
    "fittedState", "learnerState"})
public record PolicyArtifact(int formatVersion, String strategy, double costWeight, Map<String, Object> params,
    List<String> models, DataFingerprint data, List<FrontierPoint> frontier, String fittedState,
    LearnerState learnerState) {
  /**
   * The format this build writes and reads; the fitted state is tied to the classes of the build. 2: the
   * strategies moved to packages by paradigm, so a version-1 fitted state names classes this build lacks.
   */
  public static final int FORMAT_VERSION = 2;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  /**
   * @param sha256 of the file's bytes
   * @param generatedSplit the file had no train split and a seeded stratified one was made
   */
  public record DataFingerprint(String file, String sha256, int trainQueries, int testQueries,
      boolean generatedSplit, long splitSeed) {}

  /** Mean quality and cost per query on the held-out split at one trade-off. */
  public record FrontierPoint(double tradeoff, double quality, double meanCostUsd) {}

  /**
   * An online learner's state after {@code switchyard train}: the reward scales it learned with (cost and energy
   * that count as one unit of quality) and its PolicySnapshot's episodes and parameters, whose names and arm
   * order are those of the artifact's {@code models}.
   */
  @JsonPropertyOrder({"costScale", "energyScale", "episodes", "parameters"})
  public record LearnerState(double costScale, double energyScale, long episodes, Map<String, double[]> parameters) {
    public LearnerState {
      parameters = parameters == null ? null : Collections.unmodifiableMap(new TreeMap<>(parameters));
    }
  }

  public PolicyArtifact {
    params = params == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(params));
    models = models == null ? null : List.copyOf(models);
    frontier = frontier == null ? null : List.copyOf(frontier);
  }

  /** An offline strategy's artifact (no learner parameters beyond cost-weight). */
  public static PolicyArtifact offline(String strategy, double costWeight, List<String> models, DataFingerprint data,
      List<FrontierPoint> frontier, String fittedState) {
    return new PolicyArtifact(FORMAT_VERSION, strategy, costWeight, Map.of(), models, data, frontier, fittedState,
        null);
  }

  /** Whether this artifact holds an online learner's state (else an offline strategy's fitted state). */
  @JsonIgnore
  public boolean isLearner() {
    return learnerState != null;
  }

  /**
   * A short identity of this artifact for logs, episodes and the admin API: the strategy and the first 12 hex
   * digits of the SHA-256 of its state (the same artifact always gets the same one).
   */
  public String fingerprint() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(JSON.writeValueAsBytes(this));
      return strategy + "@" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException("cannot fingerprint an artifact", e);
    }
  }

  /** A learner's artifact: its trained state, learned with rewards scaled by {@code costScale}/{@code energyScale}. */
  public static PolicyArtifact learner(String strategy, double costWeight, Map<String, Object> params,
      List<String> models, DataFingerprint data, List<FrontierPoint> frontier, OnlineLearner trained,
      double costScale, double energyScale) {
    PolicySnapshot s = trained.snapshot(0, 0);
    return new PolicyArtifact(FORMAT_VERSION, strategy, costWeight, params, models, data, frontier, null,
        new LearnerState(costScale, energyScale, s.episodes(), s.parameters()));
  }

  /**
   * Fresh, untrained instances of this artifact's learner (what {@link LearnerCatalog} builds for it with the
   * artifact's parameters and reward scales, no train-data), routing between {@code servedModels}: the
   * artifact's {@code models} in their order, under the ids the serving fleet gives them.
   *
   * @param costWeight the reward's trade-off (the artifact's unless the pipeline gives its own)
   * @param paramOverrides hyperparameters the pipeline sets over the artifact's
   */
  public Supplier<OnlineLearner> learner(List<String> servedModels, double costWeight,
      Map<String, Object> paramOverrides, long seed) {
    if (!isLearner()) {
      throw new IllegalArgumentException("the artifact holds offline strategy " + strategy + ", not a learner");
    }
    LearnerCatalog.Entry entry = LearnerCatalog.all().get(strategy);
    if (entry == null) {
      throw new IllegalArgumentException("the artifact holds learner '" + strategy + "', which this build does not"
          + " know");
    }
    if (servedModels.size() != models.size()) {
      throw new IllegalArgumentException("the artifact routes between " + models.size() + " models, not "
          + servedModels.size());
    }
    Map<String, Object> all = new java.util.LinkedHashMap<>(params);
    all.putAll(paramOverrides);
    RewardModel reward = new RewardModel(costWeight, learnerState.costScale(), 0, learnerState.energyScale());
    return entry.build(all, new LearnerCatalog.Context(servedModels, reward, null, seed));
  }

  /**
   * The trained state as a PolicySnapshot of {@code fresh} (an instance {@link #learner} built), with every
   * {@code arm/<model>/...} parameter renamed from the artifact's model ids to the served ones
   * ({@code servedModels}, in the artifact's model order); checked by restoring it into {@code fresh}.
   */
  public PolicySnapshot snapshot(OnlineLearner fresh, List<String> servedModels, long createdAtMillis) {
    Map<String, String> rename = new java.util.HashMap<>();
    for (int i = 0; i < models.size(); i++) {
      rename.put(models.get(i), servedModels.get(i));
    }
    Map<String, double[]> renamed = new java.util.LinkedHashMap<>();
    learnerState.parameters().forEach((k, v) -> {
      String key = k;
      if (k.startsWith("arm/") && k.lastIndexOf('/') > 4) {
        String arm = k.substring(4, k.lastIndexOf('/'));
        key = "arm/" + rename.getOrDefault(arm, arm) + k.substring(k.lastIndexOf('/'));
      }
      renamed.put(key, v.clone());
    });
    PolicySnapshot s = new PolicySnapshot(fresh.snapshot(0, 0).policy(), 0, learnerState.episodes(), renamed,
        createdAtMillis);
    fresh.restore(s);
    return s;
  }

  /** The artifact as JSON text (what {@link #parse} reads). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an artifact is always writable as JSON", e);
    }
  }

  /** The fitted strategy, as it was when written. */
  public Strategy restore() {
    if (fittedState == null) {
      throw new IllegalArgumentException("the artifact holds the state of learner " + strategy + ", not of an"
          + " offline strategy");
    }
    Strategy s = FittedState.decode(fittedState);
    if (!s.info().name().equals(strategy)) {
      throw new IllegalArgumentException("the fitted state is of strategy " + s.info().name() + ", the artifact says "
          + strategy);
    }
    return s;
  }

  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), this);
  }

  /** Reads and checks an artifact; the message of a failure names the file and what is wrong with it. */
  public static PolicyArtifact read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no such file: " + file.toAbsolutePath());
    }
    try {
      return checked(file.toString(), JSON.readValue(file.toFile(), PolicyArtifact.class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not a policy artifact: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage());
    }
  }

  /**
   * Parses and checks an artifact given as JSON text (e.g. an HTTP body); the message of a failure names
   * {@code source} and what is wrong.
   */
  public static PolicyArtifact parse(String source, String json) {
    try {
      return checked(source, JSON.readValue(json, PolicyArtifact.class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + " is not a policy artifact: " + e.getOriginalMessage());
    }
  }

  private static PolicyArtifact checked(String source, PolicyArtifact a) {
    if (a.formatVersion() != FORMAT_VERSION) {
      throw new IllegalArgumentException(source + " has artifact format version " + a.formatVersion() + "; this"
          + " build reads version " + FORMAT_VERSION + ": run `switchyard train` again with this build");
    }
    for (var field : new Object[][] {{"strategy", a.strategy()}, {"models", a.models()}, {"data", a.data()}}) {
      if (field[1] == null) {
        throw new IllegalArgumentException(source + " has no " + field[0]);
      }
    }
    if ((a.fittedState() == null) == (a.learnerState() == null)) {
      throw new IllegalArgumentException(source + " must hold exactly one of fittedState (an offline strategy) and"
          + " learnerState (an online learner)");
    }
    if (a.isLearner() && a.learnerState().parameters() == null) {
      throw new IllegalArgumentException(source + " has no learnerState.parameters");
    }
    if (a.models().isEmpty()) {
      throw new IllegalArgumentException(source + " names no models");
    }
    return a;
  }

  /** The SHA-256 of a file's bytes, in hex. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
