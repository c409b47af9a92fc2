package dev.switchyard.actors.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test's own PostgreSQL server as the chaos suite uses it: a journal outage is {@link LocalPostgres#stop()},
 * its heal {@link LocalPostgres#restart()}.
 */
class LocalPostgresTest {
  @Test
  void aStoppedServerRestartsOnTheSamePortWithItsDataAndSettings() throws Exception {
    try (LocalPostgres pg = LocalPostgres.start(Map.of("synchronous_commit", "off"))) {
      try (Connection c = pg.connect()) {
        c.createStatement().execute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
      }

      pg.stop();
      assertFalse(pg.running());
      assertThrows(SQLException.class, pg::connect, "no server listens during the outage");

      pg.restart();
      assertTrue(pg.running());
      try (Connection c = pg.connect();
          ResultSet kept = c.createStatement().executeQuery("SELECT v FROM kept");
          ResultSet setting = c.createStatement().executeQuery("SHOW synchronous_commit")) {
        assertTrue(kept.next());
        assertEquals(42, kept.getInt(1), "what was committed before the stop");
        assertTrue(setting.next());
        assertEquals("off", setting.getString(1), "the settings it was first started with");
      }
    }
  }
}
