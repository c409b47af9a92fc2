package dev.switchyard.actors.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Optional;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start check on real H2 files: a missing state dir is created and a new journal passes; a journal with rows
 * passes after every row was read; random bytes over a journal's store headers, or over the pages that hold its
 * catalog, are reported as corrupted with the file named.
 */
@ExtendWith(LogCapturingExtension.class)
class JournalCheckTest {
  @TempDir
  Path dir;

  private static Config configFor(Path stateDir) {
    return ConfigFactory.parseString("pekko-persistence-jdbc.shared-databases.slick.db.url = \"jdbc:h2:file:"
        + stateDir + "/journal;DB_CLOSE_ON_EXIT=FALSE\"").withFallback(NodeConfig.load());
  }

  private static Optional<JournalCheck.Problem> check(Path stateDir) {
    return JournalCheck.run(configFor(stateDir));
  }

  /** A journal like the engine's: pekko-persistence-jdbc's tables with a few rows. */
  private static void writeJournal(Path stateDir, int rows) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + stateDir + "/journal", "sa", "");
        Statement s = c.createStatement()) {
      String ddl = new String(JournalCheckTest.class.getResourceAsStream("/schema/h2/h2-create-schema.sql")
          .readAllBytes());
      for (String statement : ddl.split(";")) {
        if (!statement.isBlank()) {
          s.execute(statement);
        }
      }
      for (int i = 1; i <= rows; i++) {
        s.execute("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\","
            + " \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\","
            + " \"event_ser_manifest\") VALUES ('job|j" + i + "', 1, 'w', 0, '', X'" + "ab".repeat(2000) + "', 1, 'm')");
      }
    }
  }

  @Test
  void aMissingStateDirIsCreatedAndANewJournalPasses() {
    Path stateDir = dir.resolve("new/state");

    assertEquals(Optional.empty(), check(stateDir));
    assertTrue(Files.isDirectory(stateDir));
    assertTrue(Files.exists(stateDir.resolve("journal.mv.db")), "the probe row was written");
    assertEquals(Optional.empty(), check(stateDir), "and the file it wrote passes the next start");
  }

  @Test
  void aJournalWithRowsPasses() throws Exception {
    writeJournal(dir, 50);

    assertEquals(Optional.empty(), check(dir));
  }

  @Test
  void randomBytesOverTheStoreHeadersAreReportedAsCorruptedNamingTheFile() throws Exception {
    writeJournal(dir, 50);
    Path file = dir.resolve("journal.mv.db");
    overwrite(file, 0, 8192);

    JournalCheck.Problem problem = check(dir).orElseThrow();

    assertEquals(JournalFault.Kind.CORRUPTED, problem.fault().kind(), problem.line());
    assertTrue(problem.line().contains(file.toString()), problem.line());
    assertTrue(problem.line().contains("restore the file from a backup, or move it aside"), problem.line());
  }

  @Test
  void aFileWhosePagesAreAllRandomIsNotTakenForANewJournal() throws Exception {
    writeJournal(dir, 50);
    Path file = dir.resolve("journal.mv.db");
    overwrite(file, 8192, (int) Files.size(file) - 8192); // H2 opens this as an empty database

    JournalCheck.Problem problem = check(dir).orElseThrow();

    assertEquals(JournalFault.Kind.CORRUPTED, problem.fault().kind(), problem.line());
  }

  @Test
  void aDirectoryThatIsARegularFileIsReportedWithoutAStackTrace() throws Exception {
    Path notADir = dir.resolve("state");
    Files.writeString(notADir, "not a directory");

    JournalCheck.Problem problem = check(notADir).orElseThrow();

    assertTrue(problem.line().startsWith("the journal directory " + notADir), problem.line());
    assertEquals(1, problem.line().lines().count());
  }

  private static void overwrite(Path file, long offset, int length) throws Exception {
    byte[] noise = new byte[length];
    new Random(7).nextBytes(noise);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      f.write(noise);
    }
  }
}
