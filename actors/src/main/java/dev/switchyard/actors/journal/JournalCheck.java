package dev.switchyard.actors.journal;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Opens and checks the journal's database with plain JDBC before a node starts (before its ActorSystem and its
 * connection pool exist), so that a journal the node cannot use stops it at once with one line that says which
 * file, why and what to do, instead of a node that answers {@code /ready} and then fails every durable request.
 * It creates the state dir of an embedded H2 journal if missing, reads every row of the journal and snapshot
 * tables (a corrupted file fails here rather than in recovery, which restarts forever; in a new journal neither
 * table exists yet, and the node creates both), and writes and commits a
 * probe row (a locked, read-only or full journal fails here). Configuration: {@code switchyard.persistence.start-check}.
 */
public final class JournalCheck {
  private JournalCheck() {}

  /**
   * The journal cannot be used; {@link #line()} says which, why and what to do.
   *
   * @param subject what is at fault, e.g. {@code the journal /var/journal.mv.db}, {@code the journal directory /var}
   */
  public record Problem(String subject, JournalFault fault) {
    public String line() {
      return fault.describe(subject);
    }
  }

  /** Checks the journal named by the resolved configuration; empty when it can be read and written. */
  public static Optional<Problem> run(Config root) {
    Config settings = root.getConfig("switchyard.persistence.start-check");
    if (!settings.getBoolean("enabled")) {
      return Optional.empty();
    }
    Duration loginTimeout = settings.getDuration("login-timeout");
    String probeTable = root.getString("switchyard.persistence.health.probe-table");
    return run(JournalDatabase.fromConfig(root), probeTable, loginTimeout);
  }

  static Optional<Problem> run(JournalDatabase db, String probeTable, Duration loginTimeout) {
    if (db.h2File().isPresent()) {
      Optional<Problem> dir = stateDir(db.h2File().get());
      if (dir.isPresent()) {
        return dir;
      }
    }
    boolean existed = db.h2File().map(f -> f.toFile().length() > 0).orElse(false);
    DriverManager.setLoginTimeout((int) Math.max(1, loginTimeout.toSeconds()));
    try (Connection c = DriverManager.getConnection(checkUrl(db), db.user(), db.password())) {
      boolean journalTable = exists(c, db.journalTable());
      boolean snapshotTable = exists(c, db.snapshotTable());
      if (existed && !journalTable && !snapshotTable && !exists(c, probeTable)
          && !exists(c, probeTable.toUpperCase(Locale.ROOT))) {
        // Every file this check or a node wrote holds the probe table or the journal's: H2 opens a file whose
        // pages are damaged as an empty database, which the node would then fill, the old journal lost.
        return Optional.of(new Problem("the journal " + db.name(), new JournalFault(JournalFault.Kind.CORRUPTED,
            "the file exists but H2 finds none of the journal's tables in it")));
      }
      if (journalTable != snapshotTable) {
        // Created together by the schema script: one without the other is a damaged catalog (seen with H2
        // files that had random bytes written into them), not a new journal.
        return Optional.of(new Problem("the journal " + db.name(), new JournalFault(JournalFault.Kind.CORRUPTED, "it holds the "
            + (journalTable ? db.journalTable() : db.snapshotTable()) + " table but not the "
            + (journalTable ? db.snapshotTable() : db.journalTable()) + " table")));
      }
      if (journalTable) {
        readEveryRow(c, db.journalTable());
        readEveryRow(c, db.snapshotTable());
      }
      if (c.isReadOnly()) {
        return Optional.of(new Problem("the journal " + db.name(), new JournalFault(JournalFault.Kind.READ_ONLY,
            "the database opened read-only")));
      }
      // A row of its own (nodes sharing a database may start together), removed again once it committed.
      String key = "start-check:" + UUID.randomUUID();
      db.writeProbe(c, probeTable, key, System.currentTimeMillis());
      try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + probeTable + " WHERE node = ?")) {
        delete.setString(1, key);
        delete.executeUpdate();
      }
      return Optional.empty();
    } catch (SQLException | RuntimeException e) {
      return Optional.of(new Problem("the journal " + db.name(), JournalFault.of(e)));
    }
  }

  /** Creates the directory of the journal file if missing; a directory that cannot be written is a problem. */
  private static Optional<Problem> stateDir(Path file) {
    Path dir = file.getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      JournalFault fault = JournalFault.of(e);
      return Optional.of(new Problem(directory(file), fault.kind() != JournalFault.Kind.UNUSABLE ? fault
          : new JournalFault(fault.kind(), "cannot be created: " + e.getClass().getSimpleName() + " "
              + e.getMessage())));
    }
    if (!Files.isWritable(dir)) {
      return Optional.of(new Problem(directory(file), new JournalFault(JournalFault.Kind.READ_ONLY,
          "the directory is not writable")));
    }
    if (Files.exists(file) && !Files.isWritable(file)) {
      return Optional.of(new Problem("the journal " + file, new JournalFault(JournalFault.Kind.READ_ONLY,
          "the file is not writable")));
    }
    return Optional.empty();
  }

  private static String directory(Path file) {
    return "the journal directory " + file.getParent() + " (of " + file.getFileName() + ")";
  }

  /**
   * The URL the check opens: H2's trace file off, because H2 prints a stack trace to stderr when it cannot write
   * that file (a read-only or full directory), and the check reports the failure itself.
   */
  private static String checkUrl(JournalDatabase db) {
    if (!db.isH2() || db.url().toUpperCase(Locale.ROOT).contains("TRACE_LEVEL_FILE")) {
      return db.url();
    }
    return db.url() + ";TRACE_LEVEL_FILE=0";
  }

  /** Reads every column of every row (binary columns in full), so a damaged page or LOB block shows here. */
  private static void readEveryRow(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT * FROM " + quoted(table))) {
      ResultSetMetaData meta = rows.getMetaData();
      int columns = meta.getColumnCount();
      while (rows.next()) {
        for (int i = 1; i <= columns; i++) {
          switch (meta.getColumnType(i)) {
            case Types.BLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> rows.getBytes(i);
            default -> rows.getObject(i);
          }
        }
      }
    }
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    int dot = table.indexOf('.');
    String schema = dot < 0 ? null : table.substring(0, dot);
    String name = dot < 0 ? table : table.substring(dot + 1);
    DatabaseMetaData meta = c.getMetaData();
    try (ResultSet t = meta.getTables(null, schema, name, null)) {
      return t.next();
    }
  }

  /** pekko-persistence-jdbc creates its tables with quoted (case-sensitive) names. */
  private static String quoted(String table) {
    int dot = table.indexOf('.');
    return dot < 0 ? "\"" + table + "\"" : "\"" + table.substring(0, dot) + "\".\"" + table.substring(dot + 1) + "\"";
  }
}
