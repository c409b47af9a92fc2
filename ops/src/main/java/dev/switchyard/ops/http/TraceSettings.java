package dev.switchyard.ops.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code switchyard.telemetry.traces}: whether and where this node exports OpenTelemetry traces (see
 * {@link Tracing}). A value outside the ones listed is an error naming the key and the values it takes, so a
 * misspelt exporter never turns tracing silently off.
 *
 * @param exporter {@code none} (the default: no span is made at all) or {@code otlp}
 * @param otlpEndpoint the collector: for {@code grpc} its address ({@code http://127.0.0.1:4317}); for
 *     {@code http/protobuf} its base URL ({@code http://127.0.0.1:4318}, {@code /v1/traces} appended when no path
 *     is given) or the full traces URL
 * @param protocol the OTLP transport
 * @param samplerRatio the share of new traces kept (0..1); a request that arrives with a {@code traceparent}
 *     follows its caller's sampling decision
 * @param serviceName the {@code service.name} of the spans' resource
 */
public record TraceSettings(Exporter exporter, URI otlpEndpoint, Protocol protocol, double samplerRatio,
    String serviceName) {
  private static final String PATH = "switchyard.telemetry.traces";

  /** Where spans go. */
  public enum Exporter {
    NONE("none"), OTLP("otlp");

    final String key;

    Exporter(String key) {
      this.key = key;
    }
  }

  /** OTLP's transports. */
  public enum Protocol {
    GRPC("grpc"), HTTP_PROTOBUF("http/protobuf");

    final String key;

    Protocol(String key) {
      this.key = key;
    }
  }

  /** Tracing off. */
  public static TraceSettings off() {
    return new TraceSettings(Exporter.NONE, URI.create("http://127.0.0.1:4317"), Protocol.GRPC, 1.0, "switchyard");
  }

  /** From {@code switchyard.telemetry.traces} of {@code root}; a bad value is an IllegalArgumentException naming it. */
  public static TraceSettings fromConfig(Config root) {
    Config c = root.getConfig(PATH);
    Exporter exporter = choice(c, "exporter", Exporter.values(), e -> e.key);
    Protocol protocol = choice(c, "protocol", Protocol.values(), p -> p.key);
    double ratio;
    try {
      ratio = c.getDouble("sampler-ratio");
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(PATH + ".sampler-ratio must be a number from 0 to 1, got '"
          + c.getValue("sampler-ratio").unwrapped() + "'");
    }
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException(PATH + ".sampler-ratio must be from 0 to 1, got " + ratio);
    }
    String serviceName = c.getString("service-name");
    if (serviceName.isBlank()) {
      throw new IllegalArgumentException(PATH + ".service-name must not be empty");
    }
    return new TraceSettings(exporter, endpoint(c.getString("otlp-endpoint")), protocol, ratio, serviceName);
  }

  private static URI endpoint(String value) {
    try {
      URI uri = new URI(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // said below
    }
    throw new IllegalArgumentException(PATH + ".otlp-endpoint must be an http(s) URL such as"
        + " \"http://127.0.0.1:4317\", got '" + value + "'");
  }

  private static <T> T choice(Config c, String key, T[] values, Function<T, String> name) {
    String given = c.getString(key);
    return Arrays.stream(values).filter(v -> name.apply(v).equals(given)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(PATH + "." + key + " must be one of "
            + Arrays.stream(values).map(name).collect(Collectors.joining(", ")) + ", got '" + given + "'"));
  }

  /** The URL the exporter posts to: for {@code http/protobuf} the traces path, appended when none is given. */
  URI exportUri() {
    String path = otlpEndpoint.getPath();
    if (protocol == Protocol.HTTP_PROTOBUF && (path == null || path.isEmpty() || path.equals("/"))) {
      String base = otlpEndpoint.toString();
      return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces");
    }
    return otlpEndpoint;
  }
}
