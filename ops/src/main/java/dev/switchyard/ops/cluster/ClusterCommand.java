package dev.switchyard.ops.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.journal.LocalPostgres;
import dev.switchyard.simulator.cli.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchyard cluster up|status|down}: a local cluster of {@code serve --profile cluster} JVMs (or another
 * profile, {@code up --profile cluster,aeron}) on loopback,
 * described by DIR/cluster.json. {@code up} writes cluster.json before waiting, so {@code down} can clean up after
 * a failed {@code up}; {@code down} only signals recorded pids that are still Switchyard serve processes.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Start, inspect and stop a local cluster on loopback.",
    subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Down.class})
public final class ClusterCommand implements Runnable {
  static final ObjectMapper JSON = new ObjectMapper();
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: up, status or down");
  }

  static Config settings() {
    return ConfigFactory.load().getConfig("switchyard.cluster-local");
  }

  static Path descriptor(Path dir) {
    return dir.resolve("cluster.json");
  }

  /** Whether the pid is alive and still a Switchyard serve JVM (pids get reused). */
  static boolean isServeNode(long pid) {
    if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
      return false;
    }
    // ProcessHandle.Info.commandLine() comes back empty for a long class path, so read /proc where it exists.
    String commandLine;
    try {
      commandLine = Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline")).replace('\0', ' ');
    } catch (IOException e) {
      commandLine = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
    }
    return commandLine.contains("java") && commandLine.contains("SwitchyardCli serve");
  }

  static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The {@code --timeout} of {@code command} as a positive HOCON duration ({@code 120s}, {@code 2m}); where the
   * text is none, empty after a usage line on {@code err} naming the flag.
   */
  static Optional<Duration> timeout(String command, String text, PrintWriter err) {
    try {
      Duration d = ConfigFactory.parseMap(Map.of("t", text)).getDuration("t");
      if (!d.isNegative() && !d.isZero()) {
        return Optional.of(d);
      }
    } catch (ConfigException e) {
      // not a duration: the same usage line as a non-positive one
    }
    err.println("switchyard cluster " + command + ": --timeout " + text + " is not a positive duration (e.g. 60s, 2m)");
    return Optional.empty();
  }

  static Optional<JsonNode> ready(String url, Duration timeout) {
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url + "/ready")).timeout(timeout)
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      ((ObjectNode) body).put("httpStatus", response.statusCode());
      return Optional.of(body);
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  @Command(name = "up", description = "Start N nodes (and a PostgreSQL where none is configured); wait until all are Up.")
  static final class Up implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--nodes", required = true,
        description = "how many nodes to start (1 to switchyard.cluster-local.max-nodes)")
    int nodes;
    @Option(names = "--dir", required = true,
        description = "where the nodes' logs, state, cluster.json and the local PostgreSQL live")
    Path dir;
    @Option(names = "--config",
        description = "a fleet configuration every node serves (as serve --config)")
    Path config;
    @Option(names = "--data",
        description = "recorded outcomes for the simulated demo fleet (as serve --data)")
    Path data;
    @Option(names = "--latency-scale", paramLabel = "X",
        description = "simulated demo fleet only: every node's serve --latency-scale (recorded latencies times X)")
    Double latencyScale;
    @Option(names = "--http-port",
        description = "node K listens on this port + K - 1 (default switchyard.cluster-local.http-port-base)")
    Integer httpPortBase;
    @Option(names = "--remoting-port",
        description = "node K's cluster port is this + K - 1 (default switchyard.cluster-local.remoting-port-base)")
    Integer remotingPortBase;
    @Option(names = "--postgres-port",
        description = "port of the local PostgreSQL started where SWITCHYARD_PG_URL is unset")
    Integer postgresPort;
    @Option(names = "--timeout", defaultValue = "120s",
        description = "how long to wait until every node is Up (a HOCON duration)")
    String timeout;
    @Option(names = "--profile", defaultValue = "cluster", paramLabel = "NAME[,NAME]",
        description = "the deployment profile every node serves with, as serve --profile (e.g. cluster,aeron for"
            + " Artery over Aeron UDP); default cluster")
    String profile;

    @Override
    public Integer call() throws Exception {
      var err = spec.commandLine().getErr();
      var out = spec.commandLine().getOut();
      Config settings = settings();
      if (nodes < 1 || nodes > settings.getInt("max-nodes")) {
        err.println("switchyard cluster up: --nodes must be between 1 and " + settings.getInt("max-nodes"));
        return ExitCode.USAGE;
      }
      Optional<Duration> parsed = timeout("up", timeout, err);
      if (parsed.isEmpty()) {
        return ExitCode.USAGE;
      }
      try {
        // Here rather than in each node's log: an unknown profile would stop every node at start.
        NodeConfig.load(ConfigFactory.empty(), profile);
      } catch (IllegalArgumentException e) {
        err.println("switchyard cluster up: --profile: " + e.getMessage());
        return ExitCode.USAGE;
      }
      Duration wait = parsed.get();
      if (Files.exists(descriptor(dir))) {
        for (JsonNode node : JSON.readTree(descriptor(dir).toFile()).get("nodes")) {
          if (isServeNode(node.get("pid").asLong())) {
            err.println("switchyard cluster up: --dir " + dir + " has a cluster still running; run cluster down first");
            return ExitCode.USAGE;
          }
        }
      }
      int httpBase = httpPortBase != null ? httpPortBase : settings.getInt("http-port-base");
      int remotingBase = remotingPortBase != null ? remotingPortBase : settings.getInt("remoting-port-base");
      for (int k = 0; k < nodes; k++) {
        if (!portFree(httpBase + k)) {
          err.println("switchyard cluster up: --http-port " + (httpBase + k) + " is in use");
          return ExitCode.USAGE;
        }
        if (!portFree(remotingBase + k)) {
          err.println("switchyard cluster up: --remoting-port " + (remotingBase + k) + " is in use");
          return ExitCode.USAGE;
        }
      }
      Files.createDirectories(dir);
      ObjectNode doc = JSON.createObjectNode();
      ObjectNode journal = doc.putObject("journal");
      String pgUrl = System.getenv("SWITCHYARD_PG_URL");
      if (pgUrl != null && !pgUrl.isBlank()) {
        journal.put("kind", "configured").put("url", pgUrl);
      } else {
        int port = postgresPort != null ? postgresPort : settings.getInt("postgres-port");
        Path pgDir = dir.resolve("postgres");
        LocalPostgres kept = LocalPostgres.kept(pgDir, port);
        if (!kept.running() && !portFree(port)) {
          err.println("switchyard cluster up: --postgres-port " + port + " is in use");
          return ExitCode.USAGE;
        }
        LocalPostgres postgres = kept.running() ? kept : LocalPostgres.startKept(pgDir, port);
        pgUrl = postgres.url();
        journal.put("kind", "local").put("url", pgUrl).put("dir", pgDir.toAbsolutePath().toString()).put("port", port);
      }
      String java = ProcessHandle.current().info().command().orElse("java");
      String seeds = "pekko://switchyard@127.0.0.1:" + remotingBase
          + (nodes > 1 ? ",pekko://switchyard@127.0.0.1:" + (remotingBase + 1) : "");
      ArrayNode list = doc.putArray("nodes");
      for (int k = 1; k <= nodes; k++) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(settings.getStringList("node-jvm-options"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.switchyard.ops.SwitchyardCli",
            "serve", "--profile", profile, "--port", String.valueOf(httpBase + k - 1),
            "--state-dir", dir.resolve("node-" + k).toAbsolutePath().toString()));
        if (config != null) {
          command.addAll(List.of("--config", config.toAbsolutePath().toString()));
        }
        if (data != null) {
          command.addAll(List.of("--data", data.toAbsolutePath().toString()));
        }
        if (latencyScale != null) {
          command.addAll(List.of("--latency-scale", latencyScale.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("node-" + k + ".log").toFile());
        builder.environment().put("SWITCHYARD_PG_URL", pgUrl);
        builder.environment().putIfAbsent("SWITCHYARD_PG_USER", LocalPostgres.USER);
        builder.environment().put("SWITCHYARD_HOST", "127.0.0.1");
        builder.environment().put("SWITCHYARD_PORT", String.valueOf(remotingBase + k - 1));
        builder.environment().put("SWITCHYARD_SEED_NODES", seeds);
        Process process = builder.start();
        list.addObject().put("name", "node-" + k).put("url", "http://127.0.0.1:" + (httpBase + k - 1))
            .put("pid", process.pid()).put("remoting", "pekko://switchyard@127.0.0.1:" + (remotingBase + k - 1));
      }
      JSON.writerWithDefaultPrettyPrinter().writeValue(descriptor(dir).toFile(), doc);
      long deadline = System.nanoTime() + wait.toNanos();
      Duration poll = settings.getDuration("ready-poll-interval");
      Duration request = settings.getDuration("ready-request-timeout");
      for (JsonNode node : list) {
        String url = node.get("url").asText();
        while (true) {
          Optional<JsonNode> answer = ready(url, request);
          if (answer.isPresent() && answer.get().path("httpStatus").asInt() == 200
              && answer.get().path("node").path("members_up").asInt() == nodes) {
            break;
          }
          if (System.nanoTime() > deadline) {
            err.println("switchyard cluster up: " + node.get("name").asText() + " is not Up after " + timeout
                + "; its log ends with:");
            List<String> log = Files.readAllLines(dir.resolve(node.get("name").asText() + ".log"));
            log.subList(Math.max(0, log.size() - 20), log.size()).forEach(err::println);
            err.println("(the nodes are left running: `switchyard cluster down --dir " + dir + "` stops them)");
            return ExitCode.FAILED;
          }
          Thread.sleep(poll.toMillis());
        }
      }
      for (JsonNode node : list) {
        out.println(node.get("name").asText() + " " + node.get("url").asText() + " pid " + node.get("pid").asLong());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "status", description = "The journal and each node's name, url, pid and state.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--dir", required = true, description = "the directory given to cluster up") Path dir;
    @Option(names = "--json", description = "print the status as JSON") boolean json;

    @Override
    public Integer call() throws Exception {
      if (!Files.exists(descriptor(dir))) {
        spec.commandLine().getErr().println("switchyard cluster status: --dir " + dir + " has no cluster.json");
        return ExitCode.USAGE;
      }
      ObjectNode doc = (ObjectNode) JSON.readTree(descriptor(dir).toFile());
      Duration request = settings().getDuration("ready-request-timeout");
      for (JsonNode node : doc.get("nodes")) {
        String state;
        if (!isServeNode(node.get("pid").asLong())) {
          state = "stopped";
        } else {
          state = ready(node.get("url").asText(), request)
              .map(r -> r.path("node").path("status").asText("unreachable")).orElse("unreachable");
        }
        ((ObjectNode) node).put("state", state);
      }
      var out = spec.commandLine().getOut();
      if (json) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
      } else {
        out.println("journal postgresql " + doc.get("journal").get("kind").asText() + " " + doc.get("journal").get("url").asText());
        for (JsonNode node : doc.get("nodes")) {
          out.println(node.get("name").asText() + " " + node.get("url").asText() + " pid " + node.get("pid").asLong()
              + " " + node.get("state").asText());
        }
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "down", description = "Stop every recorded node (gracefully, then forcibly) and the local PostgreSQL.")
  static final class Down implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--dir", required = true, description = "the directory given to cluster up") Path dir;
    @Option(names = "--timeout", defaultValue = "60s",
        description = "how long each node may drain before it is killed (a HOCON duration)")
    String timeout;

    @Override
    public Integer call() throws Exception {
      var out = spec.commandLine().getOut();
      if (!Files.exists(descriptor(dir))) {
        spec.commandLine().getErr().println("switchyard cluster down: --dir " + dir + " has no cluster.json");
        return ExitCode.USAGE;
      }
      Optional<Duration> parsed = timeout("down", timeout, spec.commandLine().getErr());
      if (parsed.isEmpty()) {
        return ExitCode.USAGE;
      }
      Duration wait = parsed.get();
      JsonNode doc = JSON.readTree(descriptor(dir).toFile());
      List<ProcessHandle> stopping = new ArrayList<>();
      for (JsonNode node : doc.get("nodes")) {
        long pid = node.get("pid").asLong();
        if (isServeNode(pid)) {
          ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
          handle.destroy();
          stopping.add(handle);
          out.println("stopping " + node.get("name").asText() + " pid " + pid);
        }
      }
      long deadline = System.nanoTime() + wait.toNanos();
      for (ProcessHandle handle : stopping) {
        while (handle.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        if (handle.isAlive()) {
          out.println("pid " + handle.pid() + " did not stop within " + timeout + "; killing it");
          handle.destroyForcibly();
        }
      }
      JsonNode journal = doc.get("journal");
      if ("local".equals(journal.get("kind").asText())) {
        LocalPostgres postgres = LocalPostgres.kept(Path.of(journal.get("dir").asText()), journal.get("port").asInt());
        if (postgres.running()) {
          postgres.stop();
          out.println("stopped PostgreSQL in " + journal.get("dir").asText());
        }
      }
      return ExitCode.OK;
    }
  }
}
