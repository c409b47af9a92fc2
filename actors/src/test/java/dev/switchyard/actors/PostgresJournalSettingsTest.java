package dev.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.journal.LocalPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcBackend$;

/**
 * On PostgreSQL a commit is acknowledged only once its WAL is flushed: the postgres profile's connections run
 * with {@code synchronous_commit = on} whatever the server's default, so an acknowledged job survives a crash of
 * the database server too. Shown against a real server whose own default is {@code off}, through the same
 * Slick database factory pekko-persistence-jdbc opens the journal with.
 */
@ExtendWith(LogCapturingExtension.class)
class PostgresJournalSettingsTest {
  @Test
  void journalConnectionsCommitSynchronouslyEvenWhenTheServerDefaultIsOff() throws Exception {
    try (LocalPostgres pg = LocalPostgres.start(Map.of("synchronous_commit", "off"))) {
      try (Connection plain = pg.connect()) {
        assertEquals("off", show(plain), "the server's default, for a connection without the profile's options");
      }
      Config slick = ClusterConfigFilesTest.load("single-node.conf", "postgres.conf")
          .getConfig("pekko-persistence-jdbc.shared-databases.slick");
      Config db = ConfigFactory.parseMap(Map.of("db.url", pg.url(), "db.user", LocalPostgres.USER,
          "db.minConnections", 1)).withFallback(slick).resolve();
      JdbcBackend.JdbcDatabaseDef journal = JdbcBackend$.MODULE$.Database().forConfig("db", db, null,
          getClass().getClassLoader());
      try (Connection c = journal.source().createConnection()) {
        assertEquals("on", show(c), "the journal's connections");
      } finally {
        journal.close();
      }
    }
  }

  private static String show(Connection c) throws Exception {
    try (ResultSet r = c.createStatement().executeQuery("SHOW synchronous_commit")) {
      r.next();
      return r.getString(1);
    }
  }
}
