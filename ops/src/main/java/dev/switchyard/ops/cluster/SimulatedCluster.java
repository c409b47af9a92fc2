package dev.switchyard.ops.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.simulator.cli.NodesLauncher;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;

/**
 * {@code simulate --nodes N}: the nodes are started and stopped by {@code cluster up} and {@code cluster down}
 * themselves (the same command, run in this JVM), each serving the simulated demo fleet of the recording; queries
 * go round-robin to the live nodes' {@code POST /v1/chat/completions}. A query whose node fails it (connection
 * lost, as when the node is killed, or a 5xx) is re-sent to the next live node, so a killed node's work is
 * finished elsewhere; each node's counts say who was sent, answered and took over what.
 */
public final class SimulatedCluster implements NodesLauncher {
  @Override
  public Nodes start(int nodes, Path data, Path dir, double latencyScale, Config config) {
    Config settings = ClusterCommand.settings();
    int http = freeRange(settings.getInt("http-port-base"), nodes, Set.of());
    int remoting = freeRange(settings.getInt("remoting-port-base"), nodes, range(http, nodes));
    Set<Integer> taken = new HashSet<>(range(http, nodes));
    taken.addAll(range(remoting, nodes));
    int postgres = freeRange(settings.getInt("postgres-port"), 1, taken);
    Run up = cluster("up", "--nodes", Integer.toString(nodes), "--dir", dir.toString(), "--data", data.toString(),
        "--latency-scale", Double.toString(latencyScale), "--http-port", Integer.toString(http),
        "--remoting-port", Integer.toString(remoting), "--postgres-port", Integer.toString(postgres));
    if (up.exit() != 0) {
      cluster("down", "--dir", dir.toString());
      throw new IllegalStateException("--nodes: the cluster did not come up:\n" + up.err().strip());
    }
    List<Node> started = new ArrayList<>();
    try {
      for (JsonNode node : ClusterCommand.JSON.readTree(ClusterCommand.descriptor(dir).toFile()).get("nodes")) {
        started.add(new Node(node.get("name").asText(), node.get("url").asText(), node.get("pid").asLong()));
      }
    } catch (IOException e) {
      cluster("down", "--dir", dir.toString());
      throw new IllegalStateException("--nodes: cannot read " + ClusterCommand.descriptor(dir) + ": " + e.getMessage(), e);
    }
    return new HttpNodes(dir, started, config.getDuration("switchyard.simulator.simulate.answer-timeout"));
  }

  /** One node as cluster.json records it, with what the simulation sent it. */
  private static final class Node {
    final String name;
    final String url;
    final long pid;
    final AtomicBoolean killed = new AtomicBoolean();
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger resentHere = new AtomicInteger();

    Node(String name, String url, long pid) {
      this.name = name;
      this.url = url;
      this.pid = pid;
    }
  }

  private static final class HttpNodes implements Nodes {
    private final Path dir;
    private final List<Node> nodes;
    private final Duration requestTimeout;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicInteger next = new AtomicInteger();

    HttpNodes(Path dir, List<Node> nodes, Duration requestTimeout) {
      this.dir = dir;
      this.nodes = List.copyOf(nodes);
      this.requestTimeout = requestTimeout;
    }

    @Override
    public List<String> pipelines() {
      for (Node node : nodes) {
        try {
          HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/models"))
              .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
          List<String> names = new ArrayList<>();
          ClusterCommand.JSON.readTree(r.body()).path("data").forEach(m -> names.add(m.path("id").asText()));
          return names;
        } catch (IOException e) {
          // try the next node
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      throw new IllegalStateException("--nodes: no node answered GET /v1/models");
    }

    @Override
    public CompletionStage<QueryResult> answer(Query query, String pipeline) {
      String body = requestBody(query, pipeline);
      int first = Math.floorMod(next.getAndIncrement(), nodes.size());
      return attempt(body, pipeline, first, 0, null);
    }

    /** Sends to the {@code tried}-th live node after {@code first}; on a node's failure, to the one after it. */
    private CompletableFuture<QueryResult> attempt(String body, String pipeline, int first, int tried,
        String lastFailure) {
      Node node = null;
      int index = tried;
      while (index < nodes.size()) {
        Node candidate = nodes.get((first + index) % nodes.size());
        if (!candidate.killed.get()) {
          node = candidate;
          break;
        }
        index++;
      }
      if (node == null) {
        return CompletableFuture.failedFuture(new Failure("NO_LIVE_NODE", "no live node answered"
            + (lastFailure == null ? "" : "; last: " + lastFailure)));
      }
      Node target = node;
      int attemptIndex = index;
      target.sent.incrementAndGet();
      if (tried > 0) {
        target.resentHere.incrementAndGet();
      }
      HttpRequest request = HttpRequest.newBuilder(URI.create(target.url + "/v1/chat/completions"))
          .timeout(requestTimeout).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
        if (error == null && response.statusCode() == 200) {
          target.answered.incrementAndGet();
          return CompletableFuture.completedFuture(result(response.body(), pipeline));
        }
        if (error == null && response.statusCode() < 500) {
          // the request itself was refused (429 overload, 4xx): another node would refuse it too
          return CompletableFuture.<QueryResult>failedFuture(new Failure("HTTP_" + response.statusCode(),
              target.name + ": " + response.body()));
        }
        target.failed.incrementAndGet();
        String why = target.name + ": " + (error != null ? error.toString() : "HTTP " + response.statusCode());
        return attempt(body, pipeline, first, attemptIndex + 1, why);
      }).thenCompose(f -> f);
    }

    @Override
    public void kill(int k) {
      Node node = nodes.get(k - 1);
      node.killed.set(true);
      if (ClusterCommand.isServeNode(node.pid)) {
        ProcessHandle.of(node.pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }

    @Override
    public List<NodeCount> counts() {
      return nodes.stream().map(n -> new NodeCount(n.name, n.sent.get(), n.answered.get(), n.failed.get(),
          n.resentHere.get(), n.killed.get())).toList();
    }

    @Override
    public void close() {
      Run down = cluster("down", "--dir", dir.toString());
      if (down.exit() != 0) {
        throw new IllegalStateException("--nodes: cluster down failed:\n" + down.err().strip());
      }
    }
  }

  /** The chat completion request of a simulated query: its messages, its task, through the pipeline. */
  static String requestBody(Query query, String pipeline) {
    ObjectNode request = ClusterCommand.JSON.createObjectNode();
    request.put("model", pipeline);
    ArrayNode messages = request.putArray("messages");
    for (ChatMessage m : query.messages()) {
      messages.addObject().put("role", m.role()).put("content", m.content());
    }
    if (query.task() != null && !query.task().isBlank()) {
      request.putObject("switchyard").put("task", query.task());
    }
    return request.toString();
  }

  /** The engine's result as the response's {@code switchyard} object and {@code usage} give it. */
  static QueryResult result(String body, String pipeline) {
    try {
      JsonNode response = ClusterCommand.JSON.readTree(body);
      JsonNode s = response.path("switchyard");
      JsonNode message = response.path("choices").path(0).path("message");
      boolean abstained = s.path("abstained").asBoolean(false);
      List<String> called = new ArrayList<>();
      s.path("models_called").forEach(m -> called.add(m.asText()));
      return new QueryResult(s.path("query_id").asText(response.path("id").asText()),
          s.path("pipeline").asText(pipeline), abstained ? null : message.path("content").asText(null),
          s.path("answer_model").isNull() ? null : s.path("answer_model").asText(null), called,
          s.path("rounds").asInt(), s.path("cost_usd").asDouble(), s.path("latency_ms").asDouble(),
          response.path("usage").path("prompt_tokens").asInt(), response.path("usage").path("completion_tokens").asInt(),
          abstained ? message.path("refusal").asText("abstained") : null, null);
    } catch (IOException e) {
      throw new Failure("BAD_RESPONSE", "a node's answer is not the chat completion JSON: " + e.getMessage());
    }
  }

  private record Run(int exit, String out, String err) {}

  /** {@code switchyard cluster ARGS}, the command itself, its output kept. */
  private static Run cluster(String... args) {
    CommandLine cli = new CommandLine(new ClusterCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** The first {@code count} consecutive free loopback ports from {@code base} up, clear of {@code avoid}. */
  private static int freeRange(int base, int count, Set<Integer> avoid) {
    for (int start = base; start + count < 65536; start++) {
      boolean free = true;
      for (int p = start; p < start + count && free; p++) {
        free = !avoid.contains(p) && ClusterCommand.portFree(p);
      }
      if (free) {
        return start;
      }
    }
    throw new IllegalStateException("no " + count + " free consecutive ports from " + base);
  }

  private static Set<Integer> range(int start, int count) {
    Set<Integer> ports = new HashSet<>();
    for (int p = start; p < start + count; p++) {
      ports.add(p);
    }
    return ports;
  }
}
