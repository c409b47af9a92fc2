package dev.switchyard.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.journal.LocalPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

/**
 * The journal a test node writes to. By default H2, in memory or in a file; with
 * {@code -Dswitchyard.test.journal=postgresql} (the {@code durable-on-postgresql} test run of this module's pom) a
 * database of its own on one real PostgreSQL server that this test JVM starts once ({@link LocalPostgres}) and
 * stops when it exits: the durable tests then show the same behaviour on the cluster's journal.
 */
public final class TestJournal {
  public static final String PROPERTY = "switchyard.test.journal";

  private static LocalPostgres server;

  private TestJournal() {}

  public static boolean onPostgres() {
    String kind = System.getProperty(PROPERTY, "h2");
    if (!kind.equals("h2") && !kind.equals("postgresql")) {
      throw new IllegalArgumentException("-D" + PROPERTY + " must be h2 or postgresql, got " + kind);
    }
    return kind.equals("postgresql");
  }

  /** A new, empty journal. */
  public static Config fresh() {
    return onPostgres() ? postgres("t" + UUID.randomUUID().toString().replace("-", ""))
        : slick("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
  }

  /** The journal of {@code dir}: what one node recorded there, a node started later on the same dir reads. */
  public static Config kept(Path dir) {
    if (onPostgres()) {
      byte[] key = dir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
      return postgres("d" + UUID.nameUUIDFromBytes(key).toString().replace("-", ""));
    }
    return slick("jdbc:h2:file:" + dir.resolve("journal").toAbsolutePath());
  }

  private static Config slick(String url) {
    return ConfigFactory.parseMap(Map.of("pekko-persistence-jdbc.shared-databases.slick.db.url", url));
  }

  /** {@code database} on the JVM's server, created if missing. */
  private static synchronized Config postgres(String database) {
    try {
      if (server == null) {
        server = LocalPostgres.start(Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            server.close();
          } catch (Exception e) {
            System.err.println("test PostgreSQL did not stop: " + e);
          }
        }));
      }
      try (Connection c = server.connect();
          ResultSet exists = c.createStatement().executeQuery(
              "SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
        if (!exists.next()) {
          c.createStatement().execute("CREATE DATABASE " + database);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the tests' PostgreSQL: " + e.getMessage(), e);
    }
    String url = server.url().substring(0, server.url().lastIndexOf('/') + 1) + database;
    return ConfigFactory.parseMap(Map.of(
        "pekko-persistence-jdbc.shared-databases.slick.profile", "slick.jdbc.PostgresProfile$",
        "pekko-persistence-jdbc.shared-databases.slick.db.url", url,
        "pekko-persistence-jdbc.shared-databases.slick.db.user", LocalPostgres.USER,
        "pekko-persistence-jdbc.shared-databases.slick.db.password", "",
        "pekko-persistence-jdbc.shared-databases.slick.db.driver", "org.postgresql.Driver"));
  }
}
