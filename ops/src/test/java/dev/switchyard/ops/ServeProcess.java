package dev.switchyard.ops;

import dev.switchyard.actors.journal.LocalPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code switchyard serve} JVM started from a test, for what only a separate process shows: SIGKILL and
 * SIGTERM, exit codes and start-up messages, a state dir locked by another process. It runs the test's own
 * class path, prints into one log file (stdout and stderr together), and is killed by {@link #close()} if it
 * still runs. Each test builds its command with {@link Builder}; {@link #awaitReady} waits for {@code /ready}.
 * Public for the kubernetes module's tests, which start it on their own class path (with cluster bootstrap).
 */
public final class ServeProcess implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final Process process;
  final int port;
  final Path log;
  /** Where the test reaches the HTTP port: the {@code --host} it binds, 127.0.0.1 by default. */
  final String host;

  private ServeProcess(Process process, String host, int port, Path log) {
    this.process = process;
    this.host = host;
    this.port = port;
    this.log = log;
  }

  /** @param data the demo fleet's recording ({@code --data}), or null for a {@code --config} fleet */
  public static Builder builder(Path stateDir, Path data, Path log) {
    return new Builder(stateDir, data, log);
  }

  /** {@code serve --config} of {@code config} (written to {@code dir/fleet.conf}), state and log in {@code dir}, ready. */
  static ServeProcess withConfig(Path dir, String config) throws Exception {
    Path file = dir.resolve("fleet.conf");
    java.nio.file.Files.writeString(file, config);
    return builder(dir.resolve("state"), null, dir.resolve("serve.log"))
        .args("--config", file.toString())
        .start()
        .awaitReady(Duration.ofSeconds(120));
  }

  public String base() {
    return "http://" + host + ":" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** Waits until {@code /ready} answers 200; fails with the log's tail if the process exits or time runs out. */
  public ServeProcess awaitReady(Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("serve exited with " + process.exitValue() + " before it was ready:\n"
            + tail(40));
      }
      try {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base() + "/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("serve was not ready within " + bound + ":\n" + tail(40));
  }

  /** SIGKILL: the process gets no chance to flush or shut down. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("serve pid " + pid() + " did not die on SIGKILL");
    }
  }

  /** SIGTERM: the graceful shutdown a supervisor asks for. */
  public void terminate() {
    process.destroy();
  }

  /** The exit code, waiting at most {@code bound}; fails if the process still runs then. */
  public int awaitExit(Duration bound) throws Exception {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("serve pid " + pid() + " still runs after " + bound + ":\n" + tail(40));
    }
    return process.exitValue();
  }

  public String output() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  public String tail(int lines) throws IOException {
    List<String> all = output().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public static final class Builder {
    private final Path stateDir;
    private final Path data;
    private final Path log;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> args = new ArrayList<>();
    private final List<String> commandPrefix = new ArrayList<>();
    private String host = "127.0.0.1";
    private int port;
    private String heap = "-Xmx384m";
    private String profile;

    private Builder(Path stateDir, Path data, Path log) {
      this.stateDir = stateDir;
      this.data = data;
      this.log = log;
    }

    /** A {@code -D} system property of the serve JVM (any HOCON key). */
    public Builder property(String key, Object value) {
      properties.put(key, String.valueOf(value));
      return this;
    }

    /** An environment variable of the serve process, e.g. {@code SWITCHYARD_PG_URL}. */
    public Builder env(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /**
     * The profile {@code cluster} on {@code postgres}'s database (the same journal for every node started so),
     * remoting on 127.0.0.1:{@code remotingPort}, joining through {@code seed} (its own address for the first).
     */
    Builder clusterOn(LocalPostgres postgres, int remotingPort, String seed) {
      return clusterOn(postgres.url(), "127.0.0.1", remotingPort, seed);
    }

    /**
     * The profile {@code cluster} on the journal at {@code journalUrl} (as this node reaches it), remoting bound to
     * and advertised as {@code remotingHost}:{@code remotingPort}, joining through {@code seed}.
     */
    Builder clusterOn(String journalUrl, String remotingHost, int remotingPort, String seed) {
      return profile(profile == null ? "cluster" : profile).env("SWITCHYARD_PG_URL", journalUrl)
          .env("SWITCHYARD_PG_USER", LocalPostgres.USER)
          .env("SWITCHYARD_HOST", remotingHost)
          .env("SWITCHYARD_PORT", Integer.toString(remotingPort))
          .env("SWITCHYARD_SEED_NODES", seed);
    }

    /**
     * {@code serve --profile}, e.g. {@code cluster,aeron} over the {@code cluster} that {@link #clusterOn} sets
     * (before or after it); serve takes one {@code --profile}.
     */
    Builder profile(String names) {
      profile = names;
      return this;
    }

    /** The HTTP interface to bind ({@code --host}), and where {@link #base()} reaches it. Default 127.0.0.1. */
    Builder host(String value) {
      host = value;
      return this;
    }

    /**
     * Words run before the {@code java} command, e.g. {@code ip netns exec n1}: the prefix must exec the JVM
     * (not fork it), so that the process's pid is the JVM's and signals reach it.
     */
    Builder commandPrefix(List<String> words) {
      commandPrefix.clear();
      commandPrefix.addAll(words);
      return this;
    }

    /** More {@code serve} flags, e.g. {@code "--latency-scale", "5"}. */
    public Builder args(String... more) {
      args.addAll(List.of(more));
      return this;
    }

    /** The HTTP port; 0 (the default) picks a free one before the start. */
    public Builder port(int value) {
      port = value;
      return this;
    }

    public Builder heap(String xmx) {
      heap = xmx;
      return this;
    }

    public ServeProcess start() throws IOException {
      int httpPort = port == 0 ? freePort() : port;
      Files.createDirectories(log.toAbsolutePath().getParent());
      List<String> command = new ArrayList<>(commandPrefix);
      command.addAll(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
      properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
      if (!java.net.InetAddress.getByName(host).isLoopbackAddress()) {
        // an address of a network namespace the test made (see NetworkNamespaces): nobody else reaches it
        command.add("-Dswitchyard.auth.allow-unauthenticated=on");
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path"),
          "dev.switchyard.ops.SwitchyardCli", "serve",
          "--host", host,
          "--port", Integer.toString(httpPort),
          "--state-dir", stateDir.toString()));
      if (data != null) {
        command.addAll(List.of("--data", data.toString()));
      }
      if (profile != null) {
        command.addAll(List.of("--profile", profile));
      }
      command.addAll(args);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      return new ServeProcess(process, host, httpPort, log);
    }
  }
}
