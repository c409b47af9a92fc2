package dev.switchyard.actors.journal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * Proves on an interval that the journal takes writes, and tells {@link JournalHealth}: every
 * {@code probe-interval} (and at once when the health asks, after an entity saw a failure) it writes and commits
 * a probe row through the journal's own connection pool. The JDBC work runs on the blocking-I/O dispatcher,
 * never on this actor's thread; one probe at a time. A probe still unfinished after {@code probe-timeout} counts
 * as a failure (a pool that cannot open the database waits up to its connectionTimeout, 3 minutes by default).
 * A probe that finds the database closed (H2 closes it after a failed write) has the pool replace its
 * connections, so the journal comes back by itself once it can write. Stops once the node shuts down (the pool
 * closes then, which is no journal failure).
 */
public final class JournalProbe {
  private JournalProbe() {}

  /** One probe write: throws when the journal's database does not take it. */
  @FunctionalInterface
  public interface Target {
    void write() throws Exception;
  }

  public interface Command extends NoSerializationVerificationNeeded {}

  enum Tick implements Command { INSTANCE }

  record Finished(long failuresAtStart, Throwable failure) implements Command {}

  /** The probe of a running node: its row ({@code node}) in {@code table}, through the journal's pool. */
  public static Target throughJournalPool(ActorSystem<?> system, String table, String node) {
    JournalDatabase db = JournalDatabase.fromConfig(system.settings().config());
    var database = ((SlickExtensionImpl) SlickExtension.get(system))
        .database(system.settings().config().getConfig("jdbc-journal")).database();
    return () -> {
      try (Connection c = database.source().createConnection()) {
        db.writeProbe(c, table, node, System.currentTimeMillis());
      } catch (SQLException e) {
        if (JournalFault.of(e).kind() == JournalFault.Kind.CLOSED
            && database.source() instanceof HikariCPJdbcDataSource pool) {
          // H2 closed the database after a failed write; the pool keeps handing out connections to it (their
          // error code is not one Hikari evicts on). Evicted, they are replaced by new ones, which reopen the
          // database as soon as the disk or filesystem allows.
          pool.ds().getHikariPoolMXBean().softEvictConnections();
        }
        throw e;
      }
    };
  }

  public static Behavior<Command> create(JournalHealth health, Target target, Duration interval, Duration timeout,
      Executor blocking) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      health.onProbeRequest(() -> ctx.getSelf().tell(Tick.INSTANCE));
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
      return new Probing(ctx, timers, health, target, timeout, blocking).idle();
    }));
  }

  private static final class Probing {
    private final ActorContext<Command> ctx;
    private final JournalHealth health;
    private final Target target;
    private final Duration timeout;
    private final Executor blocking;
    private final CoordinatedShutdown shutdown;

    Probing(ActorContext<Command> ctx, TimerScheduler<Command> timers, JournalHealth health, Target target,
        Duration timeout, Executor blocking) {
      this.ctx = ctx;
      this.health = health;
      this.target = target;
      this.timeout = timeout;
      this.blocking = blocking;
      this.shutdown = CoordinatedShutdown.get(ctx.getSystem());
    }

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> start())
          .onMessage(Finished.class, f -> Behaviors.same()) // a probe already reported as timed out
          .build();
    }

    private Behavior<Command> start() {
      if (shuttingDown()) {
        return Behaviors.stopped();
      }
      long failuresAtStart = health.probeStarting();
      ctx.pipeToSelf(CompletableFuture.runAsync(() -> {
        try {
          target.write();
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, blocking), (ok, error) -> new Finished(failuresAtStart, error == null ? null
          : error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause() : error));
      return running(System.nanoTime(), false);
    }

    private Behavior<Command> running(long startedNanos, boolean reportedLate) {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> {
            if (!reportedLate && System.nanoTime() - startedNanos > timeout.toNanos() && !shuttingDown()) {
              health.probeFailed("the journal's database did not take a probe write within " + timeout);
              return running(startedNanos, true);
            }
            return Behaviors.same();
          })
          .onMessage(Finished.class, this::finished)
          .build();
    }

    private Behavior<Command> finished(Finished f) {
      if (shuttingDown()) {
        return Behaviors.stopped();
      }
      if (f.failure() == null) {
        health.probeSucceeded(f.failuresAtStart());
      } else {
        health.probeFailed("a probe write failed: " + JournalFault.of(f.failure()).summary());
      }
      return idle();
    }

    private boolean shuttingDown() {
      return shutdown.getShutdownReason().isPresent();
    }
  }
}
