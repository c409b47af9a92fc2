package dev.switchyard.actors.journal;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe against a real H2 file database: healthy while its writes commit; down within a few intervals once
 * the database cannot be written (its directory replaced by a regular file), up again once it can; and down
 * when a probe write hangs past the timeout.
 */
@ExtendWith(LogCapturingExtension.class)
class JournalProbeTest {
  private static final Duration INTERVAL = Duration.ofMillis(100);

  @TempDir
  Path dir;

  private final ActorTestKit kit = ActorTestKit.create("journal-probe", ConfigFactory.parseString(
      "pekko.loglevel = WARNING"));
  private final ExecutorService blocking = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
    blocking.shutdownNow();
  }

  private JournalHealth health() {
    return new JournalHealth(Clock.systemUTC(), Duration.ofSeconds(1));
  }

  /** A probe through plain JDBC to an H2 file, each write on a new connection (the database closes after it). */
  private JournalProbe.Target h2File(Path stateDir) {
    JournalDatabase db = new JournalDatabase("jdbc:h2:file:" + stateDir + "/journal;TRACE_LEVEL_FILE=0", "sa", "",
        "event_journal", "snapshot", Optional.empty());
    return () -> {
      try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
        db.writeProbe(c, "switchyard_journal_probe", "test-node", System.currentTimeMillis());
      }
    };
  }

  private void awaitWritable(JournalHealth health, boolean writable) {
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      if (health.writable() != writable) {
        throw new AssertionError("journal writable=" + health.writable() + " (" + health.status().reason() + ")");
      }
      return null;
    });
  }

  @Test
  void aDatabaseThatCannotBeWrittenIsReportedDownAndUpAgainOnceItCanBe() throws Exception {
    Path stateDir = dir.resolve("state");
    JournalHealth health = health();
    kit.spawn(JournalProbe.create(health, h2File(stateDir), INTERVAL, Duration.ofSeconds(3), blocking));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertTrue(Files.exists(stateDir.resolve("journal.mv.db")), "the probe wrote through the database");
      return null;
    });
    assertTrue(health.writable());

    Path moved = dir.resolve("moved");
    Files.move(stateDir, moved);
    Files.writeString(stateDir, "a file where the state dir was");
    awaitWritable(health, false);
    assertTrue(health.status().reason().startsWith("a probe write failed: "), health.status().reason());

    Files.delete(stateDir);
    Files.move(moved, stateDir);
    awaitWritable(health, true);
  }

  @Test
  void aProbeWriteThatHangsPastTheTimeoutCountsAsAFailure() throws Exception {
    JournalHealth health = health();
    CountDownLatch release = new CountDownLatch(1);
    kit.spawn(JournalProbe.create(health, release::await, INTERVAL, Duration.ofMillis(500), blocking));

    awaitWritable(health, false);
    assertTrue(health.status().reason().contains("did not take a probe write within"), health.status().reason());

    release.countDown();
    awaitWritable(health, true);
    assertNull(health.status().reason());
  }
}
