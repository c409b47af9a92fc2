package dev.switchyard.actors.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The database the journal ({@code jdbc-journal}) writes to, as the resolved configuration names it: the JDBC
 * URL, user and password of its slick database (the shared one named by {@code jdbc-journal.use-shared-db}, else
 * its own), the journal and snapshot tables, and, for an embedded H2 file, the file. Also the probe write both
 * the start check and the running node use to prove the database takes a write.
 *
 * @param h2File the {@code .mv.db} file of an embedded H2 database; empty for in-memory H2 or another database
 */
public record JournalDatabase(String url, String user, String password, String journalTable, String snapshotTable,
    Optional<Path> h2File) {

  public static JournalDatabase fromConfig(Config root) {
    String shared = root.hasPath("jdbc-journal.use-shared-db") ? root.getString("jdbc-journal.use-shared-db") : "";
    String dbPath = shared.isBlank() ? "jdbc-journal.slick.db"
        : "pekko-persistence-jdbc.shared-databases." + shared + ".db";
    if (!root.hasPath(dbPath + ".url")) {
      throw new IllegalArgumentException("no JDBC URL for the journal at " + dbPath + ".url");
    }
    Config db = root.getConfig(dbPath);
    String url = db.getString("url");
    return new JournalDatabase(url, db.hasPath("user") ? db.getString("user") : "",
        db.hasPath("password") ? db.getString("password") : "",
        table(root, "jdbc-journal.tables.event_journal"), table(root, "jdbc-snapshot-store.tables.snapshot"),
        h2File(url));
  }

  private static String table(Config root, String path) {
    String name = root.getString(path + ".tableName");
    String schema = root.hasPath(path + ".schemaName") ? root.getString(path + ".schemaName") : "";
    return schema.isBlank() ? name : schema + "." + name;
  }

  /** The file of an embedded H2 URL ({@code jdbc:h2:[file:]<path>[;...]}); none for mem:, tcp: and ssl: URLs. */
  static Optional<Path> h2File(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("jdbc:h2:")) {
      return Optional.empty();
    }
    String rest = url.substring("jdbc:h2:".length());
    String restLower = rest.toLowerCase(Locale.ROOT);
    if (restLower.startsWith("mem:") || restLower.startsWith("tcp:") || restLower.startsWith("ssl:")
        || restLower.startsWith("zip:")) {
      return Optional.empty();
    }
    if (restLower.startsWith("file:")) {
      rest = rest.substring("file:".length());
    }
    int semicolon = rest.indexOf(';');
    String path = semicolon >= 0 ? rest.substring(0, semicolon) : rest;
    if (path.startsWith("~")) {
      path = System.getProperty("user.home") + path.substring(1);
    }
    return Optional.of(Path.of(path + ".mv.db").toAbsolutePath().normalize());
  }

  /**
   * Holds, until closed, the lock that serialises schema creation between nodes that start at once on one
   * PostgreSQL: pekko-persistence-jdbc's {@code createIfNotExists} checks for the tables and then creates them,
   * so two nodes checking together both create and one fails with "relation already exists". A session-level
   * advisory lock on a connection of its own, tried for at most {@code wait}; nothing for H2, whose embedded
   * file one node opens.
   */
  public AutoCloseable schemaLock(Duration wait) throws SQLException {
    if (!url.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
      return () -> { };
    }
    Connection c = DriverManager.getConnection(url, user, password);
    // Tried, not waited for: a session waiting in pg_advisory_lock is an open transaction, and the schema's
    // CREATE INDEX CONCURRENTLY waits for every open transaction to end, so the holder would wait for the waiter.
    long deadline = System.nanoTime() + wait.toNanos();
    try (Statement s = c.createStatement()) {
      while (true) {
        try (ResultSet got = s.executeQuery("SELECT pg_try_advisory_lock(" + SCHEMA_LOCK_KEY + ")")) {
          got.next();
          if (got.getBoolean(1)) {
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new SQLException("another node held the schema lock (advisory lock " + SCHEMA_LOCK_KEY
              + ") for longer than " + wait);
        }
        Thread.sleep(100);
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    } catch (InterruptedException e) {
      c.close();
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for the schema lock", e);
    }
    return c::close; // the session's end releases the lock
  }

  /** The advisory lock key of {@link #schemaLock()}: any constant the deployment's other clients do not use. */
  private static final long SCHEMA_LOCK_KEY = 0x5377_6974_6368L; // "Switch"

  public boolean isH2() {
    return url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:");
  }

  /** How operators know the journal: its file for embedded H2, else its URL. */
  public String name() {
    return h2File.map(Path::toString).orElse(url);
  }

  /**
   * Writes and commits this node's row of the probe table (created if missing) on {@code connection}; on H2 also
   * flushes the store to disk ({@code CHECKPOINT}), since H2 may otherwise keep a commit in memory and fail to
   * write it only later. Throws what the database throws.
   */
  public void writeProbe(Connection connection, String probeTable, String node, long nowMillis) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    try {
      connection.setAutoCommit(true);
      try (Statement s = connection.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS " + probeTable
            + " (node VARCHAR(255) NOT NULL PRIMARY KEY, written_at BIGINT NOT NULL)");
      } catch (SQLException e) {
        // PostgreSQL's IF NOT EXISTS does not hold against another session creating the table at the same moment
        // (nodes starting together): it fails with a unique violation in its catalog, and the table is there.
        if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
          throw e;
        }
      }
      connection.setAutoCommit(false);
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE " + probeTable + " SET written_at = ? WHERE node = ?")) {
        update.setLong(1, nowMillis);
        update.setString(2, node);
        if (update.executeUpdate() == 0) {
          try (PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO " + probeTable + " (node, written_at) VALUES (?, ?)")) {
            insert.setString(1, node);
            insert.setLong(2, nowMillis);
            insert.executeUpdate();
          }
        }
      }
      connection.commit();
      if (isH2()) {
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
          s.execute("CHECKPOINT");
        }
      }
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // the connection is broken as well; the first failure is the one to report
      }
      throw e;
    } finally {
      try {
        connection.setAutoCommit(autoCommit);
      } catch (SQLException ignored) {
        // a broken connection: the pool discards it
      }
    }
  }
}
