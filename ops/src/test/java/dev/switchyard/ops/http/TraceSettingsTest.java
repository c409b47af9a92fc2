package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.ops.SwitchyardCliTest;
import dev.switchyard.ops.SwitchyardConfig;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code switchyard.telemetry.traces} as {@code serve} reads it, and the exporter it builds. */
class TraceSettingsTest {
  private static TraceSettings settings(String hocon) {
    Config file = ConfigFactory.parseString(hocon);
    return TraceSettings.fromConfig(SwitchyardConfig.load(Map.of(), file));
  }

  @Test
  void tracingIsOffByDefault() {
    TraceSettings off = settings("");
    assertEquals(TraceSettings.Exporter.NONE, off.exporter());
    assertFalse(Tracing.fromSettings(off).enabled());
  }

  @Test
  void otlpOverGrpcBuildsAGrpcExporterWithoutACollector() {
    TraceSettings otlp = settings("switchyard.telemetry.traces { exporter = otlp, otlp-endpoint = \"http://127.0.0.1:4317\","
        + " sampler-ratio = 0.25, service-name = gateway-eu }");
    assertEquals(TraceSettings.Protocol.GRPC, otlp.protocol());
    assertEquals(0.25, otlp.samplerRatio());
    assertEquals("gateway-eu", otlp.serviceName());
    SpanExporter exporter = Tracing.exporter(otlp);
    try {
      assertInstanceOf(OtlpGrpcSpanExporter.class, exporter);
      assertTrue(exporter.toString().contains("http://127.0.0.1:4317"), exporter.toString());
    } finally {
      exporter.shutdown();
    }
    try (Tracing tracing = Tracing.fromSettings(otlp)) {
      assertTrue(tracing.enabled());
    }
  }

  @Test
  void otlpOverHttpPostsToTheTracesPathOfTheBaseUrl() {
    TraceSettings base = settings("switchyard.telemetry.traces { exporter = otlp, protocol = \"http/protobuf\","
        + " otlp-endpoint = \"http://127.0.0.1:4318\" }");
    assertEquals(URI.create("http://127.0.0.1:4318/v1/traces"), base.exportUri());
    TraceSettings full = settings("switchyard.telemetry.traces { exporter = otlp, protocol = \"http/protobuf\","
        + " otlp-endpoint = \"https://collector.example/custom/traces\" }");
    assertEquals(URI.create("https://collector.example/custom/traces"), full.exportUri());
    SpanExporter exporter = Tracing.exporter(base);
    try {
      assertInstanceOf(OtlpHttpSpanExporter.class, exporter);
      assertTrue(exporter.toString().contains("http://127.0.0.1:4318/v1/traces"), exporter.toString());
    } finally {
      exporter.shutdown();
    }
  }

  @Test
  void anUnknownExporterIsAnErrorNamingTheKeyAndTheValuesItTakes() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> settings("switchyard.telemetry.traces.exporter = jaeger"));
    assertEquals("switchyard.telemetry.traces.exporter must be one of none, otlp, got 'jaeger'", e.getMessage());
  }

  @Test
  void serveRefusesToStartAndConfigCheckReportsAnUnknownExporter(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("switchyard.conf");
    Files.writeString(file, "switchyard.telemetry.traces.exporter = zipkin\n");
    SwitchyardCliTest.Run run = SwitchyardCliTest.run("serve", "--config", file.toString(), "--port", "0",
        "--state-dir", dir.resolve("state").toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("switchyard serve: switchyard.telemetry.traces.exporter must be one of none, otlp,"
        + " got 'zipkin'"), run.err());
    SwitchyardCliTest.Run check = SwitchyardCliTest.run("config", "check", file.toString());
    assertEquals(2, check.exit(), check.err());
    assertTrue(check.err().contains(file + ": switchyard.telemetry.traces.exporter must be one of none, otlp,"
        + " got 'zipkin'"), check.err());
  }

  @Test
  void anUnknownProtocolIsAnError() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> settings("switchyard.telemetry.traces { exporter = otlp, protocol = http }"));
    assertEquals("switchyard.telemetry.traces.protocol must be one of grpc, http/protobuf, got 'http'",
        e.getMessage());
  }

  @Test
  void aSamplerRatioOutsideZeroToOneOrAnEndpointThatIsNoUrlIsAnError() {
    var ratio = assertThrows(IllegalArgumentException.class,
        () -> settings("switchyard.telemetry.traces.sampler-ratio = 1.5"));
    assertEquals("switchyard.telemetry.traces.sampler-ratio must be from 0 to 1, got 1.5", ratio.getMessage());
    var words = assertThrows(IllegalArgumentException.class,
        () -> settings("switchyard.telemetry.traces.sampler-ratio = half"));
    assertTrue(words.getMessage().startsWith("switchyard.telemetry.traces.sampler-ratio must be a number"),
        words.getMessage());
    var endpoint = assertThrows(IllegalArgumentException.class,
        () -> settings("switchyard.telemetry.traces.otlp-endpoint = \"127.0.0.1:4317\""));
    assertTrue(endpoint.getMessage().startsWith("switchyard.telemetry.traces.otlp-endpoint must be an http(s) URL"),
        endpoint.getMessage());
  }
}
