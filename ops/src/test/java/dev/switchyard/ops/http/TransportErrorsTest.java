package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests too malformed for the routes, sent as raw bytes: the HTTP layer answers them with the API's JSON error
 * shape (and the status the protocol asks for), never with Pekko's plain-text page, and never echoes the request.
 */
class TransportErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ActorSystem<Void> system;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    var config = ConfigFactory.parseString("switchyard.http.port = 0").withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), "transport-test", config);
    HttpSettings settings = HttpSettings.fromConfig(config);
    AtomicLong ids = new AtomicLong();
    ApiRoutes routes = new ApiRoutes(new FakeEngine(), settings, Clock.systemUTC(), () -> "t" + ids.incrementAndGet(),
        () -> true);
    port = ApiServer.bind(system, routes, settings).toCompletableFuture().get(30, TimeUnit.SECONDS)
        .localAddress().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aTooLongUriIs414Json() throws Exception {
    assertJsonError(send("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "uri_too_long");
  }

  @Test
  void aTooLargeHeaderIs431Json() throws Exception {
    assertJsonError(send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20000) + "\r\n\r\n"), 431,
        "headers_too_large");
  }

  @Test
  void anUnknownMethodIs501Json() throws Exception {
    assertJsonError(send("BREW /health HTTP/1.1\r\nHost: x\r\n\r\n"), 501, "not_implemented");
  }

  @Test
  void anUnsupportedTransferEncodingIs400JsonNamingIt() throws Exception {
    String reply = send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n");
    assertJsonError(reply, 400, "bad_request");
    assertTrue(reply.contains("Transfer-Encoding 'gzip'"), reply);
  }

  @Test
  void anUnsupportedHttpVersionIs505Json() throws Exception {
    assertJsonError(send("GET /health HTTP/1.7\r\nHost: x\r\n\r\n"), 505, "http_version_not_supported");
  }

  @Test
  void anUnparsableRequestIs400JsonWithoutEchoingIt() throws Exception {
    String reply = send("GET /health HTTP/1.1\r\nHost: x\r\nBad Header sk-secret\r\n\r\n");
    assertJsonError(reply, 400, "bad_request");
    assertFalse(reply.contains("sk-secret"), reply);
  }

  private static void assertJsonError(String reply, int status, String code) throws Exception {
    assertTrue(reply.startsWith("HTTP/1.1 " + status + " "), reply);
    assertTrue(reply.toLowerCase().contains("content-type: application/json"), reply);
    JsonNode error = JSON.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4)).path("error");
    assertEquals(code, error.path("code").asText(), reply);
    assertEquals("invalid_request_error", error.path("type").asText(), reply);
    assertTrue(error.path("message").asText().length() > 0, reply);
    assertTrue(error.has("param"), reply);
  }

  /** Writes {@code request} as is and reads the reply until the server closes the connection. */
  private static String send(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
