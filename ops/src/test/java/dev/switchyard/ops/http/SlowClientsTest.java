package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and greedy clients cannot exhaust the server (real sockets against the real HTTP server): a request head
 * that trickles in is cut at {@code header-timeout}, as is a kept-alive connection that sends nothing; a client
 * address past {@code max-connections-per-client} has its next connection closed at once; and while one client
 * holds its whole share with a slowloris of up to 1,100 connections, {@code /health} from another address keeps
 * answering. A slow answer or a long stream is never cut by the header timeout. Slow clients come from other
 * loopback addresses (127.0.0.2 ...), as they would from other hosts.
 */
class SlowClientsTest {
  private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(3);
  private static final int PER_CLIENT = 20;
  private static ActorSystem<Void> system;
  private static int port;
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    var config = ConfigFactory.parseString("switchyard.http.port = 0\n"
            + "switchyard.http.header-timeout = " + HEADER_TIMEOUT.toMillis() + "ms\n"
            + "switchyard.http.max-connections-per-client = " + PER_CLIENT)
        .withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), "slow-clients-test", config);
    HttpSettings settings = HttpSettings.fromConfig(config);
    AtomicLong ids = new AtomicLong();
    ApiRoutes routes = new ApiRoutes(new FakeEngine(), settings, Clock.systemUTC(), () -> "s" + ids.incrementAndGet(),
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
  void aRequestHeadSentAByteASecondIsCutAtTheHeaderTimeout() throws Exception {
    try (Socket socket = connect("127.0.0.4")) {
      long start = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      byte[] head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
      CompletableFuture<Long> closedAfter = closedAfterMillis(socket, start);
      for (int i = 0; i < head.length && !closedAfter.isDone(); i++) {
        try {
          out.write(head[i]);
          out.flush();
        } catch (IOException e) {
          break; // the server has closed it
        }
        Thread.sleep(250);
      }
      long millis = closedAfter.get(30, TimeUnit.SECONDS);
      assertTrue(millis >= HEADER_TIMEOUT.toMillis() - 200, "closed before the header timeout: " + millis + " ms");
      assertTrue(millis < HEADER_TIMEOUT.toMillis() + 5000, "held past the header timeout: " + millis + " ms");
    }
  }

  @Test
  void aKeptAliveConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
    try (Socket socket = connect("127.0.0.5")) {
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] reply = new byte[4096];
      int n = socket.getInputStream().read(reply);
      assertTrue(new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
      long millis = closedAfterMillis(socket, System.nanoTime()).get(30, TimeUnit.SECONDS);
      assertTrue(millis >= HEADER_TIMEOUT.toMillis() - 500 && millis < HEADER_TIMEOUT.toMillis() + 5000,
          "idle keep-alive connection closed after " + millis + " ms");
    }
  }

  @Test
  void aStreamLongerThanTheHeaderTimeoutIsNotCut() throws Exception {
    // test/slow-stream pauses 1.5 s between its step and its result; four in a row on one connection outlast
    // the header timeout, and the deadline is re-armed only when each stream has ended.
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/v1/chat/completions")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"test/slow-stream\", \"stream\": true,"
              + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
    }
  }

  @Test
  void oneClientPastItsBoundIsRefusedAtOnceAndOthersAreStillServed() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < PER_CLIENT; i++) {
        held.add(connect("127.0.0.2"));
      }
      Thread.sleep(300); // the server has accepted them
      try (Socket silent = connect("127.0.0.2")) {
        long millis = closedAfterMillis(silent, System.nanoTime()).get(30, TimeUnit.SECONDS);
        assertTrue(millis < HEADER_TIMEOUT.toMillis() / 2, "the connection over the bound was held " + millis
            + " ms instead of being closed after the 1 s refused-connection-grace");
      }
      try (Socket asking = connect("127.0.0.2")) {
        asking.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        String reply = new String(asking.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(reply.startsWith("HTTP/1.1 503"), "a request on a connection over the bound: " + reply);
        assertTrue(reply.contains("\"code\":\"too_many_connections\"") && reply.contains("Retry-After:")
            && reply.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), reply);
      }
      assertEquals(200, health().statusCode(), "another client is served while 127.0.0.2 is at its bound");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void healthStaysReachableUnderASlowlorisOfManyConnections() throws Exception {
    long fdLimit = ((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getMaxFileDescriptorCount();
    int attackers = (int) Math.min(1100, fdLimit / 4); // client and server sockets share this JVM's descriptors
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Socket> sockets = new ArrayList<>();
    try {
      List<CompletableFuture<Socket>> opened = new ArrayList<>();
      for (int i = 0; i < attackers; i++) {
        opened.add(CompletableFuture.supplyAsync(() -> {
          try {
            Socket s = connect("127.0.0.3");
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
            return s;
          } catch (IOException e) {
            return null;
          }
        }, pool));
      }
      for (CompletableFuture<Socket> f : opened) {
        Socket s = f.get(60, TimeUnit.SECONDS);
        if (s != null) {
          sockets.add(s);
        }
      }
      // with no more slow connections than the bound, none would have to be closed and the check below could not
      // fail
      assertTrue(sockets.size() > 2 * PER_CLIENT, "only " + sockets.size() + " of " + attackers
          + " slow connections opened: too few to go over the bound " + PER_CLIENT);
      List<Long> healthMillis = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        long start = System.nanoTime();
        assertEquals(200, health().statusCode());
        healthMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      }
      Thread.sleep(1500); // connections over the bound are closed once the 1 s refused-connection-grace is over
      int stillOpen = 0;
      for (Socket s : sockets) {
        s.setSoTimeout(1);
        try {
          if (s.getInputStream().read() >= 0) {
            stillOpen++;
          }
        } catch (java.net.SocketTimeoutException e) {
          stillOpen++; // nothing to read: the server holds it
        } catch (IOException e) {
          // reset: closed
        }
      }
      System.out.printf("slowloris: %d slow connections from 127.0.0.3, %d held by the server (bound %d);"
          + " /health from 127.0.0.1 answered 10 of 10, max %d ms%n", sockets.size(), stillOpen, PER_CLIENT,
          healthMillis.stream().mapToLong(Long::longValue).max().orElse(-1));
      assertTrue(stillOpen <= PER_CLIENT, stillOpen + " slow connections held, more than the bound " + PER_CLIENT);
    } finally {
      pool.shutdownNow();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  private static HttpResponse<String> health() throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Socket connect(String from) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return socket;
  }

  /** Completes with the milliseconds from {@code startNanos} until the server closed {@code socket}. */
  private static CompletableFuture<Long> closedAfterMillis(Socket socket, long startNanos) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        InputStream in = socket.getInputStream();
        while (in.read() >= 0) {
          // drain whatever the server sends before it closes
        }
      } catch (IOException e) {
        // a reset is a close too
      }
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    });
  }
}
