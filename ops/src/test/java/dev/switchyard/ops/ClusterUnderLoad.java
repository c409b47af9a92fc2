package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.actors.journal.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The chaos suite's test bed (reliability-plan.md, tier 2 and 3): a real cluster of {@code switchyard serve
 * --profile cluster} JVMs on one PostgreSQL journal of the test's own ({@link LocalPostgres}), under a load of
 * durable multi-step jobs, and the checks made after each disruption: every accepted job terminal and succeeded
 * ({@link #drain}), nothing billed twice ({@link JobLedger}), nothing journaled twice or by two live incarnations
 * ({@link JournalAudit}), with the figures printed ({@link Verdict#print}).
 *
 * <p>Set-up ({@link Builder#start}): the journal, then all nodes at once (nodes 1 and 2 are the seed nodes, as
 * {@code switchyard cluster up} starts them, so that either of them restarted joins the other and not itself;
 * each node applies the schema, they take turns), until every node's {@code /ready} answers 200 and counts every
 * member Up; then one warm-up job through every node, so sharding, pools and the registry work everywhere before
 * the load. Recorded latencies of {@link TinyDataset} are replayed {@link Builder#latencyScale} times slower (5:
 * 0.25 s and 2 s per call), so calls are in flight on every node when a disruption comes. Node logs go to
 * {@code target/chaos/<scenario>/node-<n>.log} (a restarted node's to {@code node-<n>.<k>.log}).
 *
 * <p>Where the nodes run is customizable per node, for scenarios beyond one loopback interface: a command prefix
 * (e.g. {@code ip netns exec n1}), the host the node binds and advertises (remoting and HTTP), the address at which
 * the nodes reach PostgreSQL and the server's own settings (e.g. its {@code listen_addresses}), the base URL at which
 * the test reaches each node, and anything else of a node's command ({@link Builder#customize}: profiles such as
 * {@code cluster,aeron}, {@code -D} properties, environment).
 */
final class ClusterUnderLoad implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");
  static final String PIPELINE = "switchyard/cascade";
  static final int STEPS_PER_JOB = 3;

  private final Builder settings;
  private final Path runDir;
  private final Path logs;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Node> nodes = new ArrayList<>();
  private LocalPostgres postgres;

  private ClusterUnderLoad(Builder settings) {
    this.settings = settings;
    this.runDir = settings.runDir.resolve(settings.scenario);
    this.logs = Path.of("target", "chaos", settings.scenario).toAbsolutePath();
  }

  /** @param runDir a temporary directory: state dirs and the data set go to {@code runDir/<scenario>} */
  static Builder builder(String scenario, Path runDir) {
    return new Builder(scenario, runDir);
  }

  static final class Builder {
    private final String scenario;
    private final Path runDir;
    private int size = 3;
    private double latencyScale = 5;
    private IntFunction<List<String>> commandPrefix = i -> List.of();
    private IntFunction<String> host = i -> "127.0.0.1";
    private String journalHost = "127.0.0.1";
    private String journalClientSubnet; // null: PostgreSQL trusts loopback clients only
    private final Map<String, String> postgresSettings = new LinkedHashMap<>();
    private BaseUrl baseUrl = (i, host, port) -> "http://" + host + ":" + port;
    private BiConsumer<Integer, ServeProcess.Builder> customize = (i, node) -> {};

    private Builder(String scenario, Path runDir) {
      this.scenario = scenario;
      this.runDir = runDir;
    }

    /** How many nodes (3 by default). */
    Builder nodes(int count) {
      size = count;
      return this;
    }

    /** {@code serve --latency-scale}: 5 by default, so that calls take 0.25 s and 2 s. */
    Builder latencyScale(double scale) {
      latencyScale = scale;
      return this;
    }

    /** Words before node {@code i}'s (0-based) {@code java} command, e.g. {@code ip netns exec n1}. */
    Builder commandPrefix(IntFunction<List<String>> prefix) {
      commandPrefix = prefix;
      return this;
    }

    /** The host node {@code i} (0-based) binds and advertises, for remoting and HTTP (127.0.0.1 by default). */
    Builder host(IntFunction<String> value) {
      host = value;
      return this;
    }

    /** The address at which the nodes reach PostgreSQL (127.0.0.1 by default). */
    Builder journalHost(String value) {
      journalHost = value;
      return this;
    }

    /**
     * PostgreSQL listens on {@code address} too, where the nodes reach it, and trusts clients of {@code clientSubnet}
     * (CIDR): for nodes in network namespaces that reach the test's root namespace over a bridge.
     */
    Builder journalReachableAt(String address, String clientSubnet) {
      journalHost = address;
      journalClientSubnet = clientSubnet;
      return this;
    }

    /** A setting of the PostgreSQL server, e.g. {@code listen_addresses} (later than its own 127.0.0.1). */
    Builder postgresSetting(String key, String value) {
      postgresSettings.put(key, value);
      return this;
    }

    /** Where the test reaches node {@code i}'s HTTP port; {@code http://<host>:<port>} by default. */
    Builder baseUrl(BaseUrl value) {
      baseUrl = value;
      return this;
    }

    /** More of node {@code i}'s command: profiles ({@code --profile cluster,aeron}), properties, environment. */
    Builder customize(BiConsumer<Integer, ServeProcess.Builder> more) {
      customize = more;
      return this;
    }

    /** Starts the journal and the nodes, waits until all are Up and a warm-up job succeeded on each. */
    ClusterUnderLoad start() throws Exception {
      ClusterUnderLoad cluster = new ClusterUnderLoad(this);
      try {
        cluster.startAll();
      } catch (Exception | AssertionError e) {
        cluster.close();
        throw e;
      }
      return cluster;
    }
  }

  @FunctionalInterface
  interface BaseUrl {
    String of(int index, String host, int httpPort);
  }

  /** One node: its ports and state dir stay the same across restarts, each run is a new {@link ServeProcess}. */
  final class Node {
    final int index;
    final String host;
    final int httpPort;
    final int remotingPort;
    final Path stateDir;
    final String base;
    private ServeProcess serve;
    private int starts;

    private Node(int index, String host, int httpPort, int remotingPort) {
      this.index = index;
      this.host = host;
      this.httpPort = httpPort;
      this.remotingPort = remotingPort;
      this.stateDir = runDir.resolve("node-" + (index + 1));
      this.base = settings.baseUrl.of(index, host, httpPort);
    }

    /** Node {@code n} as the figures name it (1-based). */
    String name() {
      return "node " + (index + 1);
    }

    Process process() {
      return serve.process;
    }

    Path log() {
      return serve.log;
    }

    boolean alive() {
      return serve != null && serve.process.isAlive();
    }

    /** Starts (or starts again: same state dir, ports and journal) this node's JVM; does not wait. */
    void start() throws IOException {
      if (alive()) {
        throw new IllegalStateException(name() + " still runs (pid " + serve.pid() + ")");
      }
      Files.createDirectories(stateDir);
      String logName = starts == 0 ? "node-" + (index + 1) + ".log" : "node-" + (index + 1) + "." + starts + ".log";
      starts++;
      String seeds = String.join(",", nodes.subList(0, Math.min(2, nodes.size())).stream()
          .map(n -> "pekko://switchyard@" + n.host + ":" + n.remotingPort).toList());
      ServeProcess.Builder node = ServeProcess.builder(stateDir, data(), logs.resolve(logName))
          .commandPrefix(settings.commandPrefix.apply(index))
          .host(host)
          .port(httpPort)
          .clusterOn("jdbc:postgresql://" + settings.journalHost + ":" + postgres.port() + "/" + LocalPostgres.DATABASE,
              host, remotingPort, seeds)
          .property("java.util.concurrent.ForkJoinPool.common.parallelism", 4)
          .args("--latency-scale", Double.toString(settings.latencyScale));
      // For diagnosis: -Dchaos.node-log-level=DEBUG on the Maven command line turns on the nodes' debug logs.
      String level = System.getProperty("chaos.node-log-level");
      if (level != null) {
        node.env("SWITCHYARD_LOG_LEVEL", level).property("pekko.loglevel", level);
      }
      settings.customize.accept(index, node);
      serve = node.start();
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() throws InterruptedException {
      serve.kill();
    }

    /** SIGTERM (a graceful leave), and the exit code, waiting at most {@code bound}. */
    int terminate(Duration bound) throws Exception {
      serve.terminate();
      return serve.awaitExit(bound);
    }

    /** Sends a job-control signal (STOP, CONT): the JDK sends only TERM and KILL. */
    void signal(String name) {
      try {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(serve.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
          throw new IllegalStateException("kill -" + name + " " + serve.pid() + " failed");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** The text of every log this node wrote in this run, oldest first. */
    String logs() throws IOException {
      StringBuilder all = new StringBuilder();
      for (int k = 0; k < starts; k++) {
        Path log = ClusterUnderLoad.this.logs.resolve(k == 0 ? "node-" + (index + 1) + ".log"
            : "node-" + (index + 1) + "." + k + ".log");
        if (Files.exists(log)) {
          all.append(Files.readString(log, StandardCharsets.UTF_8));
        }
      }
      return all.toString();
    }
  }

  private Path data() {
    return runDir.resolve("data").resolve("queries.jsonl");
  }

  private void startAll() throws Exception {
    TinyDataset.write(runDir.resolve("data"));
    Files.createDirectories(logs);
    postgres = settings.journalClientSubnet == null ? LocalPostgres.start(settings.postgresSettings)
        : LocalPostgres.startReachableAt(settings.postgresSettings, settings.journalHost, settings.journalClientSubnet);
    for (int i = 0; i < settings.size; i++) {
      nodes.add(new Node(i, settings.host.apply(i), ServeProcess.freePort(), ServeProcess.freePort()));
    }
    for (Node node : nodes) {
      node.start();
    }
    for (Node node : nodes) {
      awaitReady(node, Duration.ofSeconds(120));
    }
    awaitAllUp(Duration.ofSeconds(90));
    warmUp("warm-up");
  }

  /** One job through every node, each awaited to success: the cluster serves everywhere. */
  void warmUp(String key) throws Exception {
    List<String> ids = new ArrayList<>();
    for (Node node : nodes) {
      Submission s = submit(node, key + "-" + (node.index + 1), new Random(node.index));
      assertTrue(s.accepted(), key + " job on " + node.name() + " not accepted: " + s);
      ids.add(s.id());
    }
    for (int i = 0; i < nodes.size(); i++) {
      JsonNode job = awaitTerminal(List.of(nodes.get(i)), ids.get(i), Duration.ofSeconds(90));
      assertEquals("succeeded", job.path("status").asText(), job.toString());
    }
  }

  List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  Node node(int index) {
    return nodes.get(index);
  }

  LocalPostgres journal() {
    return postgres;
  }

  Path logs() {
    return logs;
  }

  /** Until {@code node}'s {@code /ready} answers 200; fails if it exits meanwhile. */
  void awaitReady(Node node, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      if (!node.alive()) {
        fail(node.name() + " exited with " + node.process().exitValue() + " during start; see " + node.log());
      }
      if (readyStatus(node) == 200) {
        return;
      }
      Thread.sleep(250);
    }
    fail(node.name() + " not ready within " + bound + "; see " + node.log());
  }

  /** Until every node's {@code /ready} counts all nodes Up. */
  void awaitAllUp(Duration bound) throws Exception {
    awaitUp(nodes, nodes.size(), bound);
  }

  /** Until each of {@code of} answers {@code /ready} with 200 and counts {@code members} Up members. */
  void awaitUp(Collection<Node> of, int members, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (Node node : of) {
        JsonNode ready = ready(node);
        all &= ready != null && ready.path("node").path("members_up").asInt() == members;
      }
      if (all) {
        return;
      }
      Thread.sleep(250);
    }
    fail("not " + members + " members Up on every one of " + of.stream().map(Node::name).toList() + " within "
        + bound + "; see " + logs);
  }

  private int readyStatus(Node node) throws InterruptedException {
    try {
      return client.send(HttpRequest.newBuilder(URI.create(node.base + "/ready")).timeout(Duration.ofSeconds(5))
          .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1; // not listening (yet, or any more)
    }
  }

  /** {@code /ready}'s body when it answers 200, else null. */
  private JsonNode ready(Node node) throws InterruptedException {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.base + "/ready"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The answer to one job submission: {@code status} -1 when there was none (connection refused, timed out);
   * {@code id} only when accepted (202); {@code retryAfter} the header's value or null; when it was sent and
   * answered ({@link System#nanoTime}).
   */
  record Submission(int node, int status, String id, String retryAfter, String body, long sentAt, long answeredAt) {
    boolean accepted() {
      return status == 202;
    }
  }

  /** Submits a durable job of {@value #STEPS_PER_JOB} steps to {@code node}, with idempotency key {@code key}. */
  Submission submit(Node node, String key, Random random) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", PIPELINE);
    List<Map<String, Object>> messages = new ArrayList<>();
    for (int s = 0; s < STEPS_PER_JOB; s++) {
      String question = TinyDataset.QUESTIONS.get(random.nextInt(TinyDataset.QUESTIONS.size()));
      messages.add(Map.of("messages", List.of(Map.of("role", "user", "content", question))));
    }
    body.put("messages", messages.get(0).get("messages"));
    body.put("steps", messages.subList(1, messages.size()));
    long sentAt = System.nanoTime();
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.base + "/v1/jobs"))
          .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
          .header("Idempotency-Key", settings.scenario + "-" + key)
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      String id = r.statusCode() == 202 ? JSON.readTree(r.body()).path("id").asText() : null;
      return new Submission(node.index, r.statusCode(), id, r.headers().firstValue("Retry-After").orElse(null),
          r.body(), sentAt, System.nanoTime());
    } catch (IOException e) {
      return new Submission(node.index, -1, null, null, e.toString(), sentAt, System.nanoTime());
    }
  }

  /**
   * The load: durable jobs, each to the next node {@link #targets} offers (round-robin), every accepted one
   * remembered with the node that accepted it. Submissions run on the caller's thread ({@link #next}) or on one of
   * their own ({@link #runInBackground}).
   */
  Load load(String name, long seed) {
    return new Load(name, seed);
  }

  final class Load {
    private final String name;
    private final Random random;
    private final Map<String, Integer> accepted = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Submission> all = Collections.synchronizedList(new ArrayList<>());
    private int submitted;
    private volatile boolean stopping;
    private CompletableFuture<Void> background = CompletableFuture.completedFuture(null);

    private Load(String name, long seed) {
      this.name = name;
      this.random = new Random(seed);
    }

    /** Submits the next job to {@code node}. */
    synchronized Submission next(Node node) throws Exception {
      Submission s = submit(node, name + "-" + submitted, random);
      submitted++;
      record(node, s);
      return s;
    }

    private void record(Node node, Submission s) {
      if (s.accepted()) {
        accepted.put(s.id(), node.index);
      }
      all.add(s);
    }

    /**
     * Every {@code interval} one job to the next of {@code targets} (asked anew each time, so a scenario can take
     * a node out of the rotation), until {@link #stop}.
     */
    void runInBackground(Duration interval, Supplier<List<Node>> targets) {
      stopping = false;
      background = CompletableFuture.runAsync(() -> {
        int i = 0;
        while (!stopping) {
          try {
            List<Node> to = targets.get();
            if (!to.isEmpty()) {
              next(to.get(Math.floorMod(i++, to.size())));
            }
            Thread.sleep(interval.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }, ownThread("chaos-load-" + name));
    }

    /**
     * An open loop: every {@code interval} one job to the next of {@code targets}, sent whether earlier ones have
     * been answered or not, until {@link #stop}. Where a node holds requests until the client's timeout (behind a
     * cut link), {@link #runInBackground} would slow down to one submission per timeout; this keeps the rate, as
     * independent clients would.
     */
    void runOpenLoopInBackground(Duration interval, Supplier<List<Node>> targets) {
      stopping = false;
      background = CompletableFuture.runAsync(() -> {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        int i = 0;
        while (!stopping) {
          List<Node> to = targets.get();
          if (!to.isEmpty()) {
            Node node = to.get(Math.floorMod(i++, to.size()));
            String key;
            Random job;
            synchronized (this) {
              key = name + "-" + submitted++;
              job = new Random(random.nextLong());
            }
            sent.add(CompletableFuture.runAsync(() -> {
              try {
                record(node, submit(node, key, job));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }, ownThread("chaos-load-" + name + "-" + key)));
          }
          try {
            Thread.sleep(interval.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
      }, ownThread("chaos-load-" + name));
    }

    /** Runs each task on a daemon thread of its own: submissions block on HTTP for up to their timeout. */
    private static Executor ownThread(String name) {
      return task -> {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
      };
    }

    /** Stops a background load and waits for its last submission. */
    void stop() throws Exception {
      stopping = true;
      background.get(60, TimeUnit.SECONDS);
    }

    /** Job id to the index of the node that accepted it, in order of acceptance (a copy). */
    Map<String, Integer> accepted() {
      synchronized (accepted) {
        return new LinkedHashMap<>(accepted);
      }
    }

    /** Every submission and its answer, in order (a copy). */
    List<Submission> submissions() {
      synchronized (all) {
        return new ArrayList<>(all);
      }
    }

    /** The submissions not answered 202. */
    List<Submission> refused() {
      return submissions().stream().filter(s -> !s.accepted()).toList();
    }

    synchronized int submitted() {
      return submitted;
    }

    /** Accepted jobs not terminal yet as {@code node} reports them (or that it cannot report). */
    Set<String> inFlight(Node node) throws Exception {
      Set<String> running = new HashSet<>();
      for (String id : accepted().keySet()) {
        JsonNode job = tryGet(node, id);
        if (job == null || !TERMINAL.contains(job.path("status").asText())) {
          running.add(id);
        }
      }
      return running;
    }
  }

  /**
   * The end of a drain: the terminal jobs by id, those a node could not report at least once while waiting,
   * and when the drain ended.
   */
  record Drain(Map<String, JsonNode> ended, Set<String> unreadable, long endedAt) {
    /** Seconds from {@code since} ({@link System#nanoTime}) until the drain ended. */
    double secondsSince(long since) {
      return (endedAt - since) / 1e9;
    }
  }

  /**
   * Polls {@code ids} in parallel from {@code readFrom} (in turns, so a node that cannot answer for a job does not
   * stall it) until all are terminal or {@code bound} passes.
   */
  Drain drain(Collection<String> ids, List<Node> readFrom, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    Map<String, JsonNode> ended = new ConcurrentHashMap<>();
    Set<String> unreadable = new HashSet<>();
    int round = 0;
    while (ended.size() < ids.size() && System.nanoTime() < deadline) {
      Map<String, CompletableFuture<JsonNode>> polls = new LinkedHashMap<>();
      for (String id : ids) {
        if (!ended.containsKey(id)) {
          polls.put(id, getAsync(readFrom.get(Math.floorMod(id.hashCode() + round, readFrom.size())), id));
        }
      }
      round++;
      for (Map.Entry<String, CompletableFuture<JsonNode>> poll : polls.entrySet()) {
        JsonNode job = poll.getValue().join();
        if (job == null) {
          unreadable.add(poll.getKey());
        } else if (TERMINAL.contains(job.path("status").asText())) {
          ended.put(poll.getKey(), job);
        }
      }
      if (ended.size() < ids.size()) {
        Thread.sleep(500);
      }
    }
    return new Drain(ended, unreadable, System.nanoTime());
  }

  /** The job as {@code node} reports it, or null if it does not answer 200 in time. */
  JsonNode tryGet(Node node, String id) throws Exception {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.base + "/v1/jobs/" + id))
          .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private CompletableFuture<JsonNode> getAsync(Node node, String id) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create(node.base + "/v1/jobs/" + id))
                .timeout(Duration.ofSeconds(15)).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .thenApply(r -> {
          try {
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .exceptionally(e -> null);
  }

  /** Until the job is terminal as one of {@code from} reports it; fails when {@code bound} passes. */
  JsonNode awaitTerminal(List<Node> from, String id, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    JsonNode job = null;
    int i = 0;
    while (System.nanoTime() < deadline) {
      job = tryGet(from.get(i++ % from.size()), id);
      if (job != null && TERMINAL.contains(job.path("status").asText())) {
        return job;
      }
      Thread.sleep(250);
    }
    fail("job " + id + " not terminal within " + bound + "; last seen: " + job);
    return job;
  }

  /**
   * New jobs, one to each of {@code to} in turn, {@code count} in all, each awaited: how many succeeded, and in
   * how many seconds from the first submission. Shows that the cluster serves after a disruption.
   */
  double[] probe(String key, List<Node> to, int count, Duration bound) throws Exception {
    long start = System.nanoTime();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Submission s = submit(to.get(i % to.size()), key + "-" + i, new Random(100 + i));
      if (s.accepted()) {
        ids.add(s.id());
      }
    }
    int ok = 0;
    for (String id : ids) {
      if ("succeeded".equals(awaitTerminal(to, id, bound).path("status").asText())) {
        ok++;
      }
    }
    return new double[] {ok, (System.nanoTime() - start) / 1e9};
  }

  /**
   * What a scenario left behind, for the accepted jobs of {@code load}: {@code sinceMillis} is the disruption's
   * wall-clock time (the journal's timestamps are relative to it), {@code resumeSeconds} the scenario's own time to
   * resume (what it measures: from the kill, the restart, the heal) and {@code allTerminalSeconds} from the
   * disruption until all accepted jobs were terminal.
   */
  Verdict verdict(Load load, Drain drain, long sinceMillis) throws Exception {
    Map<String, Integer> accepted = load.accepted();
    List<String> lost = accepted.keySet().stream().filter(id -> !drain.ended().containsKey(id)).toList();
    int succeeded = 0;
    int failedCalls = 0;
    int rejectedCalls = 0;
    List<String> billing = new ArrayList<>();
    for (JsonNode job : drain.ended().values()) {
      if ("succeeded".equals(job.path("status").asText())) {
        succeeded++;
      }
      billing.addAll(JobLedger.billingProblems(job, STEPS_PER_JOB));
      for (JsonNode step : job.path("steps")) {
        for (JsonNode call : step.path("calls")) {
          String outcome = call.path("outcome").asText();
          if (outcome.startsWith("failed")) {
            failedCalls++;
          } else if (outcome.startsWith("rejected")) {
            rejectedCalls++;
          }
        }
      }
    }
    JournalAudit audit = JournalAudit.of(postgres, accepted.keySet(), sinceMillis);
    return new Verdict(settings.scenario, load.submitted(), accepted.size(), load.refused().size(),
        drain.ended().size(), succeeded, lost, drain.unreadable().size(), failedCalls, rejectedCalls, billing, audit);
  }

  /** A time a scenario measured, in seconds, and what it is: "the last entity resumed after the kill". */
  record Figure(double seconds, String what) {}

  /** The figures of one scenario; {@link #assertClean} is the suite's common verdict. */
  record Verdict(String scenario, int submitted, int accepted, int refused, int terminal, int succeeded,
      List<String> lost, int unreadable, int failedCalls, int rejectedCalls, List<String> billingProblems,
      JournalAudit audit) {
    /** Billing problems and journal problems: each is a step, a call or an end recorded twice. */
    List<String> problems() {
      List<String> all = new ArrayList<>(billingProblems);
      all.addAll(audit.problems());
      return all;
    }

    /**
     * Prints the figures, the journal's, the histories of resumed entities, every problem, and one
     * {@code CHAOS-ROW} line, the row of docs/BENCHMARKS.md's table "The chaos suite".
     *
     * @param resume the scenario's time to resume, and what it is measured from and to
     * @param allTerminal seconds until every accepted job was terminal, and from when ("the kill", "the restart")
     */
    void print(Figure resume, Figure allTerminal, String more) {
      System.out.printf("%s: submitted %d, accepted %d, refused %d; terminal %d, succeeded %d, lost %d; jobs a node "
              + "could not report at least once while waiting for the end %d; calls failed %d, rejected %d; all "
              + "accepted jobs terminal %.1f s after %s; %s %.1f s; billing problems %d, journal problems %d%s%n",
          scenario, submitted, accepted, refused, terminal, succeeded, lost.size(), unreadable, failedCalls,
          rejectedCalls, allTerminal.seconds(), allTerminal.what(), resume.what(), resume.seconds(),
          billingProblems.size(), audit.problems().size(), more);
      System.out.printf("%s: journal: %d job and %d step-query entities of accepted jobs; %d of them written by "
              + "more than one incarnation, the last resumed %.1f s after the disruption; %d model calls answered, "
              + "none recorded twice per attempt: %b%n", scenario, audit.jobs(), audit.queries(), audit.resumed(),
          audit.lastResumeSeconds(), audit.answeredCalls(), audit.problems().isEmpty());
      audit.resumedHistories().forEach(h -> System.out.println(scenario
          + " history of a resumed entity or of a step of a resumed job (event@time since disruption/writer): " + h));
      problems().forEach(p -> System.out.println(scenario + " problem: " + p));
      for (String id : lost) { // where a lost job stopped: its entities' events, none if it was never journaled
        audit.histories().forEach((pid, h) -> {
          if (pid.contains(id)) {
            System.out.println(scenario + " history of a lost job's entity: " + h);
          }
        });
      }
      System.out.printf("CHAOS-ROW | %s | %d | %d | %d | %d | %.1f s (%s) | %.1f s after %s |%n", scenario, accepted,
          succeeded, lost.size(), problems().size(), resume.seconds(), resume.what(), allTerminal.seconds(),
          allTerminal.what());
    }

    /**
     * A node's kill hit running jobs ({@code inFlightAtKill} of them), some entity of an accepted job was resumed by
     * a second incarnation, and the last of them wrote again within {@code boundSeconds} of the kill.
     */
    void assertKilledNodesWorkResumedWithin(int inFlightAtKill, double boundSeconds) {
      assertTrue(inFlightAtKill > 0, "the kill must hit running jobs, or the test shows nothing");
      assertTrue(audit.resumed() > 0, "no entity of an accepted job was resumed by a second incarnation: "
          + "the kill hit nothing on the killed node, so the test shows nothing");
      assertTrue(audit.lastResumeSeconds() <= boundSeconds, "the last entity of the killed node resumed "
          + audit.lastResumeSeconds() + " s after the kill, more than " + boundSeconds + " s");
    }

    /** Every accepted job terminal and succeeded, nothing billed or journaled twice. */
    void assertClean(Duration drainBound) {
      assertTrue(accepted > 0, scenario + ": no job was accepted, so the scenario shows nothing");
      assertTrue(lost.isEmpty(), scenario + ": accepted jobs not terminal within " + drainBound + ": " + lost);
      assertEquals(accepted, succeeded, scenario + ": every accepted job should succeed");
      assertTrue(problems().isEmpty(), scenario + ": work billed or recorded twice: " + problems());
    }
  }

  /** Kills every node still running and deletes the journal. */
  @Override
  public void close() throws Exception {
    for (Node node : nodes) {
      if (node.alive()) {
        node.serve.process.destroyForcibly(); // SIGKILL ends a stopped (SIGSTOP) process too
      }
    }
    for (Node node : nodes) {
      if (node.serve != null) {
        node.serve.process.waitFor(30, TimeUnit.SECONDS);
      }
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
