package dev.switchyard.actors;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temporary directory, on a free loopback port,
 * with database {@code switchyard} owned by user {@code switchyard} (trust authentication, loopback only), stopped
 * and deleted on {@link #close()}. Uses the server binaries of Debian's {@code postgresql} package (which
 * {@code .ci/run} installs); as root, the server runs as the {@code postgres} user, since PostgreSQL refuses root.
 */
public final class LocalPostgres implements AutoCloseable {
  public static final String DATABASE = "switchyard";
  public static final String USER = "switchyard";

  private final Path bin;
  private final Path dir;
  private final int port;

  private LocalPostgres(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
  }

  /** Starts a server whose postgresql.conf has {@code settings} (e.g. a server-wide default to override). */
  public static LocalPostgres start(Map<String, String> settings) throws Exception {
    Path bin = serverBinaries();
    Path dir = Files.createTempDirectory("switchyard-pg-");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, postgres);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LocalPostgres pg = new LocalPostgres(bin, dir, port);
    Path data = dir.resolve("data");
    pg.run(root, "initdb", "-D", data.toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync");
    List<String> options = new ArrayList<>(List.of("-c listen_addresses=127.0.0.1", "-c port=" + port,
        "-c unix_socket_directories=" + dir));
    settings.forEach((k, v) -> options.add("-c " + k + "=" + v));
    pg.run(root, "pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
        "-o", String.join(" ", options), "start");
    try (Connection c = DriverManager.getConnection(pg.url("postgres"), USER, "")) {
      c.createStatement().execute("CREATE DATABASE " + DATABASE);
    }
    return pg;
  }

  /** The JDBC URL of {@link #DATABASE}. */
  public String url() {
    return url(DATABASE);
  }

  private String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private void run(boolean root, String program, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    if (root) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(Duration.ofSeconds(90).toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed:\n" + new String(output));
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

  @Override
  public void close() throws Exception {
    try {
      run("root".equals(System.getProperty("user.name")), "pg_ctl", "-D", dir.resolve("data").toString(),
          "-m", "fast", "-w", "stop");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** Opens a connection as {@link #USER} (for checks from the test's side). */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), USER, "");
  }
}
