package dev.switchyard.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Local OpenAI-compatible mock servers, one per persona, standing in for GPU servers or hosted APIs in tests
 * about the engine in front of them: each answers {@code POST /v1/chat/completions} as its persona's handler
 * says, and counts the calls it got.
 */
final class MockUpstreams implements AutoCloseable {
  /** How one persona answers a call, given its parsed JSON body; the exchange is closed afterwards. */
  interface Persona {
    void answer(HttpExchange exchange, JsonNode request) throws IOException, InterruptedException;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  /** Starts a mock on a free loopback port; returns its base URL ({@code http://127.0.0.1:PORT/v1}). */
  String start(String name, Persona persona) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    AtomicInteger count = calls.computeIfAbsent(name, n -> new AtomicInteger());
    server.createContext("/v1/chat/completions", exchange -> {
      try {
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        count.incrementAndGet();
        persona.answer(exchange, request);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        exchange.close();
      }
    });
    server.start();
    servers.add(server);
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** The calls mock {@code name} has received so far. */
  int calls(String name) {
    return calls.get(name).get();
  }

  @Override
  public void close() {
    servers.forEach(s -> s.stop(0));
  }
}
