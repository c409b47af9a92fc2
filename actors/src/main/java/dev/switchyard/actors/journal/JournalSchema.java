package dev.switchyard.actors.journal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * Creates pekko-persistence-jdbc's journal and snapshot tables in the journal's database when they are missing
 * (idempotent): at a node's start ({@code switchyard.persistence.create-schema}) and from
 * {@code switchyard db init}. Nodes that start together on one PostgreSQL take turns
 * ({@link JournalDatabase#schemaLock}).
 */
public final class JournalSchema {
  private JournalSchema() {}

  /** Waits at most {@code switchyard.persistence.create-schema-timeout}; throws, naming why, when it fails. */
  public static void create(ActorSystem<?> system) {
    Duration timeout = system.settings().config().getDuration("switchyard.persistence.create-schema-timeout");
    try (AutoCloseable lock = JournalDatabase.fromConfig(system.settings().config()).schemaLock(timeout)) {
      SchemaUtils.createIfNotExists(system).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the journal schema", e);
    } catch (Exception e) {
      // The pool's own error is often just a timeout: the plain-JDBC check names a lock, a read-only or full
      // filesystem or a corrupted file (serve runs it before the node starts; other callers learn it here).
      String why = JournalCheck.run(system.settings().config()).map(JournalCheck.Problem::line)
          .orElse(e.toString());
      throw new IllegalStateException("cannot create the journal schema: " + why, e);
    }
  }
}
