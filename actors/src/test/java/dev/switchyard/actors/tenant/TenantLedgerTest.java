package dev.switchyard.actors.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.tenant.TenantLedger.Admission;
import dev.switchyard.actors.tenant.TenantLedger.Command;
import dev.switchyard.actors.tenant.TenantLedger.Granted;
import dev.switchyard.actors.tenant.TenantLedger.Limit;
import dev.switchyard.actors.tenant.TenantLedger.RequestRefused;
import dev.switchyard.actors.tenant.TenantLedger.ReserveRefused;
import dev.switchyard.actors.tenant.TenantLedger.ReserveReply;
import dev.switchyard.actors.tenant.TenantLedger.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ledger of one tenant on the persistence test kit's journal, every command, event and state through its
 * configured serializer, on a clock the test moves: reservations within the budgets and the one that would exceed
 * them refused (naming what is left), settles replacing estimates by real costs, a reservation whose settle never
 * comes counted at its estimate after its TTL, the UTC day rolling over while the month keeps counting, request and
 * token rates refused with the time until they fit, the spend and held reservations surviving a restart, and the
 * rate windows surviving a stop (passivation, hand-off).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TenantLedgerTest {
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0\n"
          + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\npekko.loglevel = WARNING\n"
          + "pekko.actor.serialize-messages = on\n"))
      .withFallback(NodeConfig.load());
  /** 2026-12-07T23:00:00Z: an hour before a UTC day ends. */
  private static final long LATE_EVENING = Instant.parse("2026-12-07T23:00:00Z").toEpochMilli();

  @JUnit5TestKit
  final ActorTestKit kit = new JUnit5TestKitBuilder().withName("tenant-ledger").withCustomConfig(CONFIG).build();

  final ManualClock clock = new ManualClock(LATE_EVENING);

  @BeforeEach
  void resetClock() {
    clock.millis.set(LATE_EVENING); // one test instance for all: each starts at the same time
  }

  static final class ManualClock extends Clock {
    final AtomicLong millis;

    ManualClock(long start) {
      millis = new AtomicLong(start);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }
  }

  static LedgerSettings settings(Duration ttl) {
    return new LedgerSettings(Duration.ofSeconds(5), ttl, Duration.ofMillis(50), 4, 1024, 5, 100);
  }

  private EventSourcedBehaviorTestKit<Command, LedgerEvent, LedgerState> ledger(TenantSpec spec) {
    var testKit = EventSourcedBehaviorTestKit.<Command, LedgerEvent, LedgerState>create(kit.system(),
        TenantLedger.create(spec, settings(Duration.ofMinutes(5)), clock,
            SupervisorStrategy.restartWithBackoff(Duration.ofMillis(10), Duration.ofMillis(100), 0)));
    testKit.clear();
    return testKit;
  }

  static TenantSpec spec(double perDay, double perMonth, long rpm, long tpm) {
    return new TenantSpec("acme", perDay, perMonth, rpm, tpm, List.of(), 1);
  }

  private static ReserveReply reserve(EventSourcedBehaviorTestKit<Command, LedgerEvent, LedgerState> ledger,
      String callId, double usd, long tokens) {
    return ledger.<ReserveReply>runCommand(r -> new TenantLedger.Reserve(callId, usd, tokens, r)).reply();
  }

  private static Usage usage(EventSourcedBehaviorTestKit<Command, LedgerEvent, LedgerState> ledger) {
    return ledger.<Usage>runCommand(TenantLedger.GetUsage::new).reply();
  }

  @Test
  void grantsReservationsWhileTheyFitTheDailyBudgetAndRefusesTheOneThatWouldExceedItSayingWhatIsLeft() {
    var ledger = ledger(spec(1.0, 0, 0, 0));
    assertInstanceOf(Granted.class, reserve(ledger, "q1/0", 0.4, 100));
    assertInstanceOf(Granted.class, reserve(ledger, "q2/0", 0.4, 100));
    ReserveRefused refused = assertInstanceOf(ReserveRefused.class, reserve(ledger, "q3/0", 0.4, 100));
    assertEquals(Limit.BUDGET_PER_DAY, refused.limit());
    assertEquals(0.2, refused.remaining(), 1e-9);
    assertEquals(Duration.ofHours(1).toMillis(), refused.retryAfterMillis(), "the day rolls over at UTC midnight");
    assertTrue(refused.message().contains("acme") && refused.message().contains("budget-usd-per-day")
        && refused.message().contains("0.200000 USD"), refused.message());
    Usage usage = usage(ledger);
    assertEquals(0.8, usage.reservedUsd(), 1e-9);
    assertEquals(2, usage.reservations());
    assertEquals(0.8, usage.peakCommittedTodayUsd(), 1e-9);
    assertEquals(0, usage.spentTodayUsd());
  }

  @Test
  void aSettleReplacesTheEstimateByTheRealCostAndAFailedCallIsReleased() {
    var ledger = ledger(spec(1.0, 0, 0, 0));
    reserve(ledger, "q1/0", 0.4, 100);
    reserve(ledger, "q2/0", 0.4, 100);
    ledger.runCommand(new TenantLedger.Settle("q1/0", 0.1, 30));
    ledger.runCommand(new TenantLedger.Settle("q2/0", 0, 0));
    Usage usage = usage(ledger);
    assertEquals(0.1, usage.spentTodayUsd(), 1e-9);
    assertEquals(0.1, usage.spentMonthUsd(), 1e-9);
    assertEquals(0, usage.reservedUsd(), 1e-9);
    assertInstanceOf(Granted.class, reserve(ledger, "q3/0", 0.9, 100), "0.1 spent + 0.9 fits 1.0");
    assertInstanceOf(ReserveRefused.class, reserve(ledger, "q4/0", 0.01, 100));
  }

  @Test
  void aResendOfAGrantedCallIsGrantedAgainWithoutHoldingTwice() {
    var ledger = ledger(spec(1.0, 0, 0, 0));
    reserve(ledger, "q1/0", 0.6, 100);
    assertInstanceOf(Granted.class, reserve(ledger, "q1/0", 0.6, 100));
    assertEquals(0.6, usage(ledger).reservedUsd(), 1e-9);
  }

  @Test
  void aReservationNeverSettledCountsAsSpentAtItsEstimateAfterItsTtlAndALateSettleCorrectsIt() {
    var ledger = EventSourcedBehaviorTestKit.<Command, LedgerEvent, LedgerState>create(kit.system(),
        TenantLedger.create(spec(1.0, 0, 0, 0), settings(Duration.ofMinutes(1)), clock,
            SupervisorStrategy.restartWithBackoff(Duration.ofMillis(10), Duration.ofMillis(100), 0)));
    ledger.clear();
    reserve(ledger, "lost/0", 0.5, 100);
    clock.advance(Duration.ofSeconds(61));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      Usage u = usage(ledger);
      assertEquals(0, u.reservations());
      assertEquals(0.5, u.spentTodayUsd(), 1e-9, "conservatively spent");
      return null;
    });
    ledger.runCommand(new TenantLedger.Settle("lost/0", 0.2, 50));
    assertEquals(0.2, usage(ledger).spentTodayUsd(), 1e-9, "the real cost replaces the estimate, not added to it");
  }

  @Test
  void theDayRollsOverAtUtcMidnightWhileTheMonthKeepsCounting() {
    var ledger = ledger(spec(1.0, 1.5, 0, 0));
    reserve(ledger, "q1/0", 0.9, 100);
    ledger.runCommand(new TenantLedger.Settle("q1/0", 0.9, 100));
    assertInstanceOf(ReserveRefused.class, reserve(ledger, "q2/0", 0.9, 100));
    clock.advance(Duration.ofHours(2)); // 2026-12-08T01:00Z
    Usage usage = usage(ledger);
    assertEquals(0, usage.spentTodayUsd(), 1e-9);
    assertEquals(0.9, usage.spentMonthUsd(), 1e-9);
    ReserveRefused monthly = assertInstanceOf(ReserveRefused.class, reserve(ledger, "q3/0", 0.7, 100));
    assertEquals(Limit.BUDGET_PER_MONTH, monthly.limit());
    assertEquals(0.6, monthly.remaining(), 1e-9);
    assertInstanceOf(Granted.class, reserve(ledger, "q4/0", 0.6, 100));
  }

  @Test
  void requestsOverTheLimitPerMinuteAreRefusedUntilTheOldestLeavesTheWindow() {
    var ledger = ledger(spec(0, 0, 2, 0));
    assertEquals(TenantLedger.Admitted.INSTANCE, ledger.<Admission>runCommand(TenantLedger.AdmitRequest::new).reply());
    clock.advance(Duration.ofSeconds(20));
    assertEquals(TenantLedger.Admitted.INSTANCE, ledger.<Admission>runCommand(TenantLedger.AdmitRequest::new).reply());
    clock.advance(Duration.ofSeconds(10));
    RequestRefused refused = assertInstanceOf(RequestRefused.class,
        ledger.<Admission>runCommand(TenantLedger.AdmitRequest::new).reply());
    assertEquals(30_000, refused.retryAfterMillis(), "the first request leaves the window 60 s after it came");
    assertEquals(2, usage(ledger).requestsLastMinute());
    clock.advance(Duration.ofSeconds(30));
    assertEquals(TenantLedger.Admitted.INSTANCE, ledger.<Admission>runCommand(TenantLedger.AdmitRequest::new).reply());
  }

  @Test
  void tokensOverTheLimitPerMinuteAreRefusedWithTheTimeUntilTheyFit() {
    var ledger = ledger(spec(0, 0, 0, 100));
    assertInstanceOf(Granted.class, reserve(ledger, "q1/0", 0.01, 60));
    clock.advance(Duration.ofSeconds(15));
    ReserveRefused refused = assertInstanceOf(ReserveRefused.class, reserve(ledger, "q2/0", 0.01, 50));
    assertEquals(Limit.TOKENS_PER_MINUTE, refused.limit());
    assertEquals(40, refused.remaining(), 1e-9);
    assertEquals(45_000, refused.retryAfterMillis());
    ReserveRefused never = assertInstanceOf(ReserveRefused.class, reserve(ledger, "q3/0", 0.01, 101));
    assertEquals(-1, never.retryAfterMillis(), "a call over the limit on its own never fits");
    clock.advance(Duration.ofSeconds(45));
    assertInstanceOf(Granted.class, reserve(ledger, "q2/0", 0.01, 50));
  }

  @Test
  void theSpendAndTheReservationsHeldSurviveARestart() {
    var ledger = ledger(spec(1.0, 0, 0, 0));
    reserve(ledger, "q1/0", 0.3, 100);
    ledger.runCommand(new TenantLedger.Settle("q1/0", 0.25, 100));
    reserve(ledger, "q2/0", 0.5, 100);
    LedgerState before = usageThenState(ledger);
    var restarted = ledger.restart();
    assertEquals(before, restarted.state());
    Usage usage = usage(ledger);
    assertEquals(0.25, usage.spentTodayUsd(), 1e-9);
    assertEquals(0.5, usage.reservedUsd(), 1e-9, "a reservation granted before the restart still holds");
    assertInstanceOf(Granted.class, reserve(ledger, "q2/0", 0.5, 100), "its resend is granted, not held twice");
    assertInstanceOf(ReserveRefused.class, reserve(ledger, "q3/0", 0.3, 100), "0.25 + 0.5 + 0.3 > 1");
    ledger.runCommand(new TenantLedger.Settle("q2/0", 0.5, 100));
    assertEquals(0.75, usage(ledger).spentTodayUsd(), 1e-9);
  }

  /** The ledger spawned as sharding runs it: a stop message ends it, so no test kit reply to wait for. */
  private ActorRef<Command> spawnLedger(TenantSpec spec) {
    return kit.spawn(TenantLedger.create(spec, settings(Duration.ofMinutes(5)), clock,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(10), Duration.ofMillis(100), 0)));
  }

  private <T> T ask(ActorRef<Command> ledger, java.util.function.Function<ActorRef<T>, Command> command,
      Class<T> reply) {
    TestProbe<T> probe = kit.createTestProbe(reply);
    ledger.tell(command.apply(probe.getRef()));
    return probe.receiveMessage();
  }

  private void stop(ActorRef<Command> ledger) {
    TestProbe<Object> watcher = kit.createTestProbe();
    ledger.tell(TenantLedger.Stop.INSTANCE); // sharding's stop message, at passivation or a rebalance's hand-off
    watcher.expectTerminated(ledger);
  }

  @Test
  void theRateWindowsSurviveAStopSoTheNextIncarnationAllowsOnlyWhatIsLeftOfTheMinute() {
    PersistenceTestKit journal = PersistenceTestKit.create(kit.system());
    String pid = TenantLedger.persistenceId("windows").id();
    journal.clearByPersistenceId(pid);
    TenantSpec spec = new TenantSpec("windows", 0, 0, 3, 100, List.of(), 1);
    ActorRef<Command> first = spawnLedger(spec);
    assertEquals(TenantLedger.Admitted.INSTANCE, ask(first, TenantLedger.AdmitRequest::new, Admission.class));
    clock.advance(Duration.ofSeconds(10));
    assertEquals(TenantLedger.Admitted.INSTANCE, ask(first, TenantLedger.AdmitRequest::new, Admission.class));
    assertInstanceOf(Granted.class,
        ask(first, r -> new TenantLedger.Reserve("q1/0", 0, 60, r), ReserveReply.class));
    stop(first);
    List<Object> events = journal.persistedInStorage(pid);
    LedgerEvent.RateWindowsKept kept = assertInstanceOf(LedgerEvent.RateWindowsKept.class,
        events.get(events.size() - 1), "the stop journals the windows: " + events);
    assertEquals(List.of(new LedgerEvent.Amount(LATE_EVENING, 1), new LedgerEvent.Amount(LATE_EVENING + 10_000, 1)),
        kept.requests());
    assertEquals(60, kept.tokens().stream().mapToLong(LedgerEvent.Amount::amount).sum());

    clock.advance(Duration.ofSeconds(5));
    ActorRef<Command> second = spawnLedger(spec); // a new incarnation, recovered from the journal
    Usage usage = ask(second, TenantLedger.GetUsage::new, Usage.class);
    assertEquals(2, usage.requestsLastMinute(), "the requests of the last minute are still counted");
    assertEquals(60, usage.tokensLastMinute(), "the tokens of the last minute are still counted");
    assertEquals(TenantLedger.Admitted.INSTANCE, ask(second, TenantLedger.AdmitRequest::new, Admission.class),
        "1 of 3 requests is left");
    RequestRefused refused = assertInstanceOf(RequestRefused.class,
        ask(second, TenantLedger.AdmitRequest::new, Admission.class));
    assertEquals(45_000, refused.retryAfterMillis(), "the first request, 15 s old, leaves the window in 45 s");
    ReserveRefused tokens = assertInstanceOf(ReserveRefused.class,
        ask(second, r -> new TenantLedger.Reserve("q2/0", 0, 50, r), ReserveReply.class));
    assertEquals(40, tokens.remaining(), 1e-9, "40 of 100 tokens are left");
    assertInstanceOf(Granted.class,
        ask(second, r -> new TenantLedger.Reserve("q3/0", 0, 40, r), ReserveReply.class));

    clock.advance(Duration.ofSeconds(61));
    stop(second);
    int written = journal.persistedInStorage(pid).size();
    ActorRef<Command> third = spawnLedger(spec);
    Usage later = ask(third, TenantLedger.GetUsage::new, Usage.class);
    assertEquals(0, later.requestsLastMinute(), "what is a minute old is no longer counted");
    assertEquals(0, later.tokensLastMinute());
    stop(third);
    assertEquals(written, journal.persistedInStorage(pid).size(),
        "a stop with nothing counted in the last minute writes nothing");
  }

  private static LedgerState usageThenState(EventSourcedBehaviorTestKit<Command, LedgerEvent, LedgerState> ledger) {
    return ledger.<Usage>runCommand(TenantLedger.GetUsage::new).state();
  }
}
