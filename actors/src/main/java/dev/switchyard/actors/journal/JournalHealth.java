package dev.switchyard.actors.journal;

import dev.switchyard.actors.EngineRejection;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node's journal can write, and the callers waiting on it (one per ActorSystem:
 * {@link #get(ActorSystem)}). It goes down at once when an entity sees a journal write fail
 * ({@link #writeFailed}) or a probe fails ({@link JournalProbe} writes and commits a row through the journal's
 * database every {@code switchyard.persistence.health.probe-interval}), and up again only when a probe that
 * started after the last failure succeeds. While it is down the engine refuses new durable work without trying,
 * and {@link #guard guarded} callers still waiting for a journaled reply are refused at once: a write the journal
 * cannot make would otherwise surface only at the caller's timeout. A failed recovery ({@link #recoveryFailed})
 * refuses the callers of that one entity (its commands sit in its stash while it restarts, unanswered).
 *
 * <p>Thread-safe and non-blocking: entities call it from their signal handlers, the engine from any thread.
 */
public final class JournalHealth implements Extension {
  private static final Logger LOG = LoggerFactory.getLogger(JournalHealth.class);

  public static final class Id extends ExtensionId<JournalHealth> {
    @Override
    public JournalHealth createExtension(ActorSystem<?> system) {
      return new JournalHealth(Clock.systemUTC(),
          system.settings().config().getDuration("switchyard.persistence.health.retry-after"));
    }
  }

  private static final Id ID = new Id();

  public static JournalHealth get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The key of one entity's callers: its entity type and id. */
  public static String entity(EntityTypeKey<?> type, String entityId) {
    return type.name() + "/" + entityId;
  }

  private record Waiter(String entity, boolean refuseWhenDown, String what, CompletableFuture<?> result) {}

  private final Clock clock;
  private final Duration retryAfter;
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
  private volatile JournalStatus status;
  /** Counts failures; a probe marks the journal up only if none happened since it started. */
  private long failures;
  private volatile Runnable probeNow = () -> { };
  private volatile boolean probed;

  public JournalHealth(Clock clock, Duration retryAfter) {
    this.clock = clock;
    this.retryAfter = retryAfter;
    this.status = JournalStatus.writable(clock.instant());
  }

  public JournalStatus status() {
    return status;
  }

  public boolean writable() {
    return status.writable();
  }

  /** How long refused callers are told to wait before they try again. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * An entity's journal write failed: down at once, every guarded caller refused, a probe asked for. Without a
   * probe (a journal plugin other than jdbc-journal) nothing could mark it up again, so it stays up.
   */
  public void writeFailed(String entity, String why) {
    if (!probed) {
      LOG.warn("a journal write of {} failed; no journal probe runs, so the journal is not marked down", entity);
      return;
    }
    down("a journal write of " + entity + " failed" + (why == null || why.isBlank() ? "" : ": " + why));
    probeNow.run();
  }

  /**
   * An entity could not read its journal (its recovery failed; it restarts with backoff): its callers are
   * refused at once. Whether the whole journal is down is the probe's to say; one is asked for now.
   */
  public void recoveryFailed(String entity, String why) {
    for (Waiter w : waiters) {
      if (w.entity().equals(entity)) {
        w.result().completeExceptionally(new EngineRejection(EngineRejection.Reason.JOURNAL_UNAVAILABLE,
            w.what() + ": its journal cannot be read (" + why + ")", retryAfter));
      }
    }
    probeNow.run();
  }

  /** A probe is about to start: the count it must find unchanged to mark the journal up. */
  public synchronized long probeStarting() {
    return failures;
  }

  public void probeSucceeded(long failuresAtStart) {
    synchronized (this) {
      if (failures != failuresAtStart || status.writable()) {
        return;
      }
      status = JournalStatus.writable(clock.instant());
    }
    LOG.info("the journal takes writes again; durable work is accepted");
  }

  public void probeFailed(String why) {
    down(why);
  }

  /** Lets the probe be asked to run now (after an entity saw a failure) rather than at its next interval. */
  void onProbeRequest(Runnable request) {
    probeNow = request;
    probed = true;
  }

  /**
   * Completes like {@code work}, unless first the journal goes down ({@code refuseWhenDown}) or the recovery of
   * {@code entity} fails: then fails with {@code JOURNAL_UNAVAILABLE}, {@code what} saying what was not done.
   */
  public <T> CompletionStage<T> guard(String entity, boolean refuseWhenDown, String what, CompletionStage<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Waiter waiter = new Waiter(entity, refuseWhenDown, what, result);
    waiters.add(waiter);
    result.whenComplete((v, e) -> waiters.remove(waiter));
    JournalStatus now = status;
    if (refuseWhenDown && !now.writable()) {
      refuse(waiter, now.reason()); // went down between the caller's check and the registration
    }
    work.whenComplete((value, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        result.complete(value);
      }
    });
    return result;
  }

  /** The refusal of new durable work while the journal is down. */
  public EngineRejection unavailable(String what) {
    return rejection(what, status.reason());
  }

  /** Callers currently guarded (for tests: none may linger once their work completed). */
  int waiting() {
    return waiters.size();
  }

  private void down(String reason) {
    boolean wasUp;
    synchronized (this) {
      failures++;
      wasUp = status.writable();
      status = JournalStatus.down(reason, wasUp ? clock.instant() : status.since());
    }
    if (wasUp) {
      LOG.warn("the journal cannot write ({}); durable work is refused until a probe write succeeds", reason);
    }
    for (Waiter w : waiters) {
      if (w.refuseWhenDown()) {
        refuse(w, reason);
      }
    }
  }

  private void refuse(Waiter w, String reason) {
    w.result().completeExceptionally(rejection(w.what(), reason));
  }

  private EngineRejection rejection(String what, String reason) {
    return new EngineRejection(EngineRejection.Reason.JOURNAL_UNAVAILABLE,
        what + ": the journal cannot write (" + reason + ")", retryAfter);
  }
}
