package dev.switchyard.actors.journal;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of this machine's own, on a loopback port, with database {@code switchyard} owned by user
 * {@code switchyard} (trust authentication, loopback only unless {@link #startReachableAt} names one more subnet): for tests (a throwaway server, deleted on
 * {@link #close()}) and for {@code switchyard cluster up} where no PostgreSQL is configured (a server kept in the
 * cluster's directory, which outlives the command and keeps the journal across {@code down} and {@code up}).
 * Uses the server binaries of Debian's {@code postgresql} package; as root, the server runs as the
 * {@code postgres} user, since PostgreSQL refuses root. The server is PostgreSQL's own {@code pg_ctl}-started
 * process, not a child of this JVM: stop it with {@link #stop()} (or {@link #close()}).
 */
public final class LocalPostgres implements AutoCloseable {
  public static final String DATABASE = "switchyard";
  public static final String USER = "switchyard";

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean temporary;
  /** Where clients reach the server ({@link #url()}): 127.0.0.1, or the address of {@link #startReachableAt}. */
  private final String host;
  /** Besides loopback, the subnet whose clients the server accepts (trust), or null for loopback only. */
  private final String clientSubnet;
  /** The postgresql.conf settings it was started with, for {@link #restart()}. */
  private Map<String, String> settings = Map.of();

  private LocalPostgres(Path bin, Path dir, int port, boolean temporary) {
    this(bin, dir, port, temporary, LOOPBACK, null);
  }

  private LocalPostgres(Path bin, Path dir, int port, boolean temporary, String host, String clientSubnet) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.temporary = temporary;
    this.host = host;
    this.clientSubnet = clientSubnet;
  }

  private static final String LOOPBACK = "127.0.0.1";

  /** A throwaway server whose postgresql.conf has {@code settings} (e.g. a server-wide default to override). */
  public static LocalPostgres start(Map<String, String> settings) throws Exception {
    Path dir = Files.createTempDirectory("switchyard-pg-");
    LocalPostgres pg = new LocalPostgres(serverBinaries(), dir, freePort(), true);
    pg.initAndStart(settings);
    return pg;
  }

  /**
   * A throwaway server, as {@link #start}, that listens on {@code address} as well as loopback and trusts clients
   * of {@code clientSubnet} (CIDR, e.g. {@code 10.213.7.0/24}) besides loopback ones: for nodes in network
   * namespaces of a test's own that reach it over a private bridge. {@link #url()} names {@code address}.
   */
  public static LocalPostgres startReachableAt(Map<String, String> settings, String address, String clientSubnet)
      throws Exception {
    Path dir = Files.createTempDirectory("switchyard-pg-");
    LocalPostgres pg = new LocalPostgres(serverBinaries(), dir, freePort(), true, address, clientSubnet);
    pg.initAndStart(settings);
    return pg;
  }

  /**
   * The server kept in {@code dir} (its data in {@code dir/data}): created on first use, started on
   * {@code port} when it is not running, its database created when missing.
   */
  public static LocalPostgres startKept(Path dir, int port) throws Exception {
    Files.createDirectories(dir);
    LocalPostgres pg = new LocalPostgres(serverBinaries(), dir.toAbsolutePath(), port, false);
    pg.initAndStart(Map.of());
    return pg;
  }

  /** The kept server of {@code dir} as it was started on {@code port}, to stop it. */
  public static LocalPostgres kept(Path dir, int port) throws IOException {
    return new LocalPostgres(serverBinaries(), dir.toAbsolutePath(), port, false);
  }

  private void initAndStart(Map<String, String> settings) throws Exception {
    this.settings = Map.copyOf(settings);
    boolean root = root();
    if (root) {
      UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, postgres);
    }
    Path data = dir.resolve("data");
    if (!Files.exists(data.resolve("PG_VERSION"))) {
      run(root, "initdb", "-D", data.toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync");
      if (clientSubnet != null) {
        // initdb's pg_hba.conf trusts loopback only; this one subnet is added, nothing wider
        Files.writeString(data.resolve("pg_hba.conf"), "host all all " + clientSubnet + " trust\n",
            StandardOpenOption.APPEND);
      }
    }
    if (!running()) {
      String listen = host.equals(LOOPBACK) ? LOOPBACK : LOOPBACK + "," + host;
      List<String> options = new ArrayList<>(List.of("-c listen_addresses=" + listen, "-c port=" + port,
          "-c unix_socket_directories=" + dir));
      settings.forEach((k, v) -> options.add("-c " + k + "=" + v));
      run(root, "pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
          "-o", String.join(" ", options), "start");
    }
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
        ResultSet exists = c.createStatement().executeQuery(
            "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
      if (!exists.next()) {
        c.createStatement().execute("CREATE DATABASE " + DATABASE);
      }
    }
  }

  /** Whether the server of this directory runs ({@code pg_ctl status}). */
  public boolean running() throws Exception {
    if (!Files.exists(dir.resolve("data").resolve("PG_VERSION"))) {
      return false;
    }
    List<String> command = command(root(), "pg_ctl", "-D", dir.resolve("data").toString(), "status");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /** The JDBC URL of {@link #DATABASE}. */
  public String url() {
    return url(DATABASE);
  }

  public int port() {
    return port;
  }

  private String url(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  private void run(boolean root, String program, String... args) throws Exception {
    List<String> command = command(root, program, args);
    // pg_ctl start leaves the server holding its output: to a file, so that reading this process's to its end
    // does not wait for the server's
    Path output = Files.createTempFile("switchyard-pg-" + program, ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!p.waitFor(Duration.ofSeconds(90).toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " failed:\n" + Files.readString(output));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private List<String> command(boolean root, String program, String... args) {
    List<String> command = new ArrayList<>();
    if (root) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    return command;
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The newest server version's binaries: Debian keeps them out of PATH, in /usr/lib/postgresql/N/bin. */
  private static Path serverBinaries() throws IOException {
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        var newest = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
            .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString())));
        if (newest.isPresent()) {
          return newest.get();
        }
      }
    }
    throw new IOException("PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin:"
        + " install Debian's postgresql package (.ci/run does)");
  }

  /** Stops the server (fast shutdown: open sessions are ended, committed work is kept). */
  public void stop() throws Exception {
    if (running()) {
      run(root(), "pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
    }
  }

  /**
   * Starts the server again after {@link #stop()}: the same data directory, port and settings, so clients that
   * kept its URL reconnect to the same journal (what a journal outage that heals looks like to them).
   */
  public void restart() throws Exception {
    initAndStart(settings);
  }

  /** Stops the server; a throwaway one's directory is deleted too. */
  @Override
  public void close() throws Exception {
    try {
      stop();
    } finally {
      if (temporary) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
  }

  /** Opens a connection as {@link #USER} (for checks from the test's side). */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), USER, "");
  }
}
