package dev.switchyard.strategies.artifact;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.strategies.Strategy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A strategy fitted once ({@code switchyard train}) and served from the file without fitting again: what was
 * fitted ({@code strategy}, its default {@code costWeight}, the {@code models} it routes between, as the data
 * names them), on what ({@link DataFingerprint}), how it did on the held-out split ({@code frontier}), and the
 * {@link FittedState} itself. Written and read by Jackson; {@link #read} checks the format version and the
 * fields before anything is served from it.
 */
@JsonPropertyOrder({"formatVersion", "strategy", "costWeight", "models", "data", "frontier", "fittedState"})
public record PolicyArtifact(int formatVersion, String strategy, double costWeight, List<String> models,
    DataFingerprint data, List<FrontierPoint> frontier, String fittedState) {
  /** The format this build writes and reads; the fitted state is tied to the classes of the build. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
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

  public PolicyArtifact {
    models = models == null ? null : List.copyOf(models);
    frontier = frontier == null ? null : List.copyOf(frontier);
  }

  /** The fitted strategy, as it was when written. */
  public Strategy restore() {
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
    PolicyArtifact a;
    try {
      a = JSON.readValue(file.toFile(), PolicyArtifact.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not a policy artifact: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage());
    }
    if (a.formatVersion() != FORMAT_VERSION) {
      throw new IllegalArgumentException(file + " has artifact format version " + a.formatVersion() + "; this build"
          + " reads version " + FORMAT_VERSION + ": run `switchyard train` again with this build");
    }
    for (var field : new Object[][] {{"strategy", a.strategy()}, {"models", a.models()}, {"data", a.data()},
        {"fittedState", a.fittedState()}}) {
      if (field[1] == null) {
        throw new IllegalArgumentException(file + " has no " + field[0]);
      }
    }
    if (a.models().isEmpty()) {
      throw new IllegalArgumentException(file + " names no models");
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
