package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node going away closes its connections without cutting a request being answered (real sockets against the
 * real HTTP server). Closing a connection used to cut it with a kill switch in front of the handler: Pekko HTTP
 * then took the handler for one that had lost a request (its {@code OutputTruncationException}) and answered the
 * client 500 itself, in place of the answer being given (the 500s of PartitionIT's one-way partition). Now the
 * answer due is sent, with {@code Connection: close}, and the connection is closed after it; an idle one is
 * closed at once; and a shutdown's drain ends every unanswered request with 503 {@code shutting_down} and
 * {@code Retry-After}, never 500.
 */
class ConnectionCloseTest {
  private ActorSystem<Void> system;

  @AfterEach
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aConnectionClosedWhileItsRequestIsAnsweredSendsThatAnswerAndThenCloses() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "connection-close-test", config("10s"));
    CompletableFuture<Done> arrived = new CompletableFuture<>();
    CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
    ConnectionGuard guard = new ConnectionGuard(system, Flow.of(HttpRequest.class).mapAsync(1, request -> {
      arrived.complete(Done.getInstance());
      return answer;
    }), HttpResponse.create().withStatus(503), Duration.ofSeconds(1), Duration.ofSeconds(10), 10, 100);
    int port = bind(guard);
    try (Socket idle = connect(port); Socket answering = connect(port)) {
      send(answering, "GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
      arrived.get(10, TimeUnit.SECONDS);
      // the idle connection opened first, so the server has accepted it too
      var allClosed = guard.closeAll(Duration.ofSeconds(30)).toCompletableFuture();
      assertTrue(closedWithin(idle, Duration.ofSeconds(5)), "an idle connection stays open after closeAll");
      Thread.sleep(500); // time for the connection to be cut, as it was, before the answer is given
      answer.complete(HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE).withEntity("going away"));
      String reply = readToEnd(answering, Duration.ofSeconds(10));
      assertTrue(reply.startsWith("HTTP/1.1 503"), "the answer given was replaced: " + reply);
      assertTrue(reply.endsWith("going away"), reply);
      assertTrue(reply.toLowerCase(Locale.ROOT).contains("connection: close"), reply);
      allClosed.get(10, TimeUnit.SECONDS); // once both have closed, well before its 30 s
    }
  }

  @Test
  void requestsInFlightWhenTheShutdownDrainEndsGet503WithRetryAfterNever500() throws Exception {
    Config config = config("2s");
    system = ActorSystem.create(Behaviors.empty(), "connection-close-drain-test", config);
    HttpSettings settings = HttpSettings.fromConfig(config);
    AtomicLong ids = new AtomicLong();
    FakeEngine engine = new FakeEngine();
    ApiRoutes routes = new ApiRoutes(engine, settings, Clock.systemUTC(), () -> "c" + ids.incrementAndGet(),
        () -> true);
    int port = ApiServer.bind(system, routes, settings).toCompletableFuture().get(30, TimeUnit.SECONDS)
        .localAddress().getPort();
    String body = "{\"model\": \"test/hang\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 30; i++) {
        Socket s = connect(port);
        send(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
        sockets.add(s);
      }
      // every request with the engine, which never answers (a connection not yet accepted at the unbind is reset)
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (engine.received.size() < 30 && System.nanoTime() < waitUntil) {
        Thread.sleep(50);
      }
      assertEquals(30, engine.received.size(), "requests with the engine before the shutdown");
      // each client reads its own socket while the node shuts down, as real clients wait on theirs
      List<CompletableFuture<String>> replies = new ArrayList<>();
      for (Socket s : sockets) {
        replies.add(CompletableFuture.supplyAsync(() -> readUntilClosed(s, Duration.ofSeconds(20))));
      }
      CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
      Map<String, Integer> byStatus = new TreeMap<>();
      for (CompletableFuture<String> answer : replies) {
        String reply = answer.get(30, TimeUnit.SECONDS);
        String status = reply.startsWith("HTTP/1.1 ") ? reply.substring(9, 12) : "none (" + reply + ")";
        byStatus.merge(status, 1, Integer::sum);
        if (status.equals("503")) {
          assertTrue(reply.contains("\"code\":\"shutting_down\"") && reply.contains("Retry-After: 1"), reply);
        }
      }
      assertEquals(Map.of("503", 30), byStatus, "answers by status when the drain ended");
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  private static Config config(String shutdownDeadline) {
    return ConfigFactory.parseString("switchyard.http.port = 0\n"
        + "switchyard.http.shutdown-deadline = " + shutdownDeadline + "\n"
        + "switchyard.http.answer-timeout = 60s\n"
        + "switchyard.http.max-connections-per-client = 100").withFallback(ConfigFactory.load());
  }

  private int bind(ConnectionGuard guard) throws Exception {
    Materializer mat = Materializer.matFromSystem(system);
    return Http.get(system).newServerAt("127.0.0.1", 0).connectionSource()
        .to(Sink.foreach(connection -> guard.accept(connection, mat)))
        .run(mat).toCompletableFuture().get(30, TimeUnit.SECONDS).localAddress().getPort();
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return socket;
  }

  private static void send(Socket socket, String request) throws IOException {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
  }

  /** Everything the server sends on {@code socket} until it closes it (at most {@code within}). */
  private static String readToEnd(Socket socket, Duration within) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /**
   * What a client got on {@code socket} until the server closed it; a reset after the bytes is noted, the bytes
   * kept (a client has its answer once the response is complete, however the connection then ends).
   */
  private static String readUntilClosed(Socket socket, Duration within) {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try {
      socket.setSoTimeout((int) within.toMillis());
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        got.write(buffer, 0, n);
      }
      return got.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      return got.size() == 0 ? "reset: " + e.getMessage() : got.toString(StandardCharsets.UTF_8);
    }
  }

  private static boolean closedWithin(Socket socket, Duration within) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    InputStream in = socket.getInputStream();
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }
}
