package dev.switchyard.ops.http;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The HTTP API's limits and timeouts, read from {@code switchyard.http} (see the ops {@code reference.conf}),
 * so no limit is a literal in the routes; {@code maxJobSteps} is the engine's {@code switchyard.job.max-steps},
 * checked at the edge so the error names the field; {@code bounds} limit every numeric request field;
 * {@code dashboardRefresh} is how often the {@code /dashboard} page fetches its snapshot.
 */
public record HttpSettings(
    String host,
    int port,
    long maxBodyBytes,
    Duration bodyReadTimeout,
    Duration answerTimeout,
    Duration streamTimeout,
    Duration streamKeepAlive,
    int streamChunkChars,
    boolean streamProgress,
    Duration shutdownDeadline,
    int maxMessages,
    int maxPromptChars,
    int maxTokensLimit,
    int maxUserChars,
    StreamReadConstraints jsonConstraints,
    int maxJobSteps,
    RequestBounds bounds,
    Duration headerTimeout,
    int maxConnectionsPerClient,
    Duration refusedConnectionGrace,
    Duration dashboardRefresh) {

  public HttpSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("switchyard.http.port must be 0..65535, got " + port);
    }
    positive("max-body-bytes", maxBodyBytes);
    positive("stream-chunk-chars", streamChunkChars);
    positive("max-messages", maxMessages);
    positive("max-prompt-chars", maxPromptChars);
    positive("max-tokens-limit", maxTokensLimit);
    positive("max-user-chars", maxUserChars);
    positive("max-connections-per-client", maxConnectionsPerClient);
    positive("header-timeout", headerTimeout.toMillis());
    positive("refused-connection-grace", refusedConnectionGrace.toMillis());
    positive("dashboard-refresh", dashboardRefresh.toMillis());
    if (maxJobSteps <= 0) {
      throw new IllegalArgumentException("switchyard.job.max-steps must be positive, got " + maxJobSteps);
    }
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("switchyard.http." + key + " must be positive, got " + value);
    }
  }

  /** Reads {@code switchyard.http} from a resolved configuration. */
  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("switchyard.http");
    Config json = c.getConfig("json");
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(json.getInt("max-nesting-depth"))
        .maxStringLength(json.getInt("max-string-length"))
        .maxNumberLength(json.getInt("max-number-length"))
        .maxNameLength(json.getInt("max-name-length"))
        .build();
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getBytes("max-body-bytes"),
        c.getDuration("body-read-timeout"),
        c.getDuration("answer-timeout"),
        c.getDuration("stream-timeout"),
        c.getDuration("stream-keep-alive"),
        c.getInt("stream-chunk-chars"),
        c.getBoolean("stream-progress"),
        c.getDuration("shutdown-deadline"),
        c.getInt("max-messages"),
        c.getInt("max-prompt-chars"),
        c.getInt("max-tokens-limit"),
        c.getInt("max-user-chars"),
        constraints,
        root.getInt("switchyard.job.max-steps"),
        RequestBounds.from(c),
        c.getDuration("header-timeout"),
        c.getInt("max-connections-per-client"),
        c.getDuration("refused-connection-grace"),
        c.getDuration("dashboard-refresh"));
  }
}
