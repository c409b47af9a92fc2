package dev.switchyard.actors.tenant;

import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.actors.tenant.LedgerEvent.CallReserved;
import dev.switchyard.actors.tenant.LedgerEvent.CallSettled;
import dev.switchyard.actors.tenant.LedgerEvent.RateWindowsKept;
import dev.switchyard.actors.tenant.LedgerEvent.ReservationExpired;
import dev.switchyard.protocol.CrossNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One tenant's budget and rate limits (sharded entity {@code tenant-ledger}, entity id = tenant name; event sourced
 * as {@code tenant-ledger|<tenant>}): the only writer of the tenant's spend, so the limits hold exactly however many
 * nodes its requests arrive at.
 *
 * <p>Budget: a model call reserves its estimated cost ({@link Reserve}) before it is sent; it is granted only if the
 * day's and the month's settled spend plus every reservation held plus the estimate stay within the budgets, so at
 * any time settled + held &lt;= budget (calls whose real cost exceeds their estimate can overshoot by that excess).
 * The call's end settles its real cost ({@link Settle}), releasing the reservation; a reservation unsettled after
 * {@code reservation-ttl} (its query's node died) is counted as spent at its estimate: conservatively, since the
 * upstream may well have billed it, and a settle that comes later corrects it to the real cost.
 *
 * <p>Durability and the hot path: a grant is replied only once journaled, so a restart or hand-off (recovered from
 * the journal and snapshots) never forgets a reservation it granted; but writes are group-committed: the grants and
 * settles that arrive while a write is in flight (stashed meanwhile) go out together in the next write, one journal
 * round trip for a whole batch. A refusal writes nothing.
 *
 * <p>Rates: requests per minute ({@link AdmitRequest}) and tokens per minute (estimated tokens at reserve, plus any
 * excess of the real count at settle) are exact sliding logs over the last 60 s ({@link SlidingWindow}), kept in
 * memory while the ledger runs (journaling every request would put a database write in front of every API call)
 * and journaled when it stops: sharding's stop message for passivation and for a rebalance's hand-off is
 * {@link Stop}, which writes the windows' entries ({@link LedgerEvent.RateWindowsKept}) together with any events
 * still unwritten, so the next incarnation, on whichever node, counts the same last minute. Only a crash (the
 * node's JVM killed, no stop message) loses the entries since the last stop: in the minute after one a tenant may
 * get up to one more minute's worth.
 */
public final class TenantLedger extends EventSourcedBehavior<TenantLedger.Command, LedgerEvent, LedgerState> {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "tenant-ledger");
  static final long MINUTE_MILLIS = 60_000;
  private static final String EXPIRY_TIMER = "expiry";

  public interface Command extends CrossNode {}

  /** An API request of the tenant asks to start; replies {@link Admitted} or {@link RequestRefused}. */
  public record AdmitRequest(ActorRef<Admission> replyTo) implements Command {}

  /** An API request started (the tenant has no request limit): counted only. */
  public enum CountRequest implements Command { INSTANCE }

  /**
   * Reserve a call's estimate; replies {@link Granted} once journaled, or {@link ReserveRefused}. Idempotent by
   * {@code callId} (a resend of the same call is granted again without holding twice).
   */
  public record Reserve(String callId, double usd, long tokens, ActorRef<ReserveReply> replyTo) implements Command {}

  /** A call ended and cost {@code usd} with {@code tokens} in and out (0 and 0 to release a failed call). */
  public record Settle(String callId, double usd, long tokens) implements Command {}

  public record GetUsage(ActorRef<Usage> replyTo) implements Command {}

  enum Flush implements Command { INSTANCE }

  /**
   * Sharding's stop message (passivation, rebalance hand-off): journals the rate windows and anything unwritten,
   * replies the grants among it, then stops.
   */
  public enum Stop implements Command { INSTANCE }

  enum ExpiryDue implements Command { INSTANCE }

  public sealed interface Admission extends CrossNode {}

  public enum Admitted implements Admission { INSTANCE }

  public record RequestRefused(String tenant, long limit, long retryAfterMillis, String message)
      implements Admission {}

  public sealed interface ReserveReply extends CrossNode {
    String callId();
  }

  public record Granted(String callId) implements ReserveReply {}

  /**
   * @param limit the limit that refused it
   * @param remaining what is left of it (USD for a budget, tokens for the token rate)
   * @param retryAfterMillis when it may fit again (the window's end for a budget), -1 when never
   */
  public record ReserveRefused(String callId, Limit limit, double remaining, long retryAfterMillis, String message)
      implements ReserveReply {}

  /** The tenant limits a ledger enforces, by their configuration key. */
  public enum Limit {
    BUDGET_PER_DAY("budget-usd-per-day"), BUDGET_PER_MONTH("budget-usd-per-month"),
    TOKENS_PER_MINUTE("tokens-per-minute"), REQUESTS_PER_MINUTE("requests-per-minute");

    private final String key;

    Limit(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /**
   * @param reservedUsd the estimates held by calls in flight
   * @param peakCommittedTodayUsd the most that the day's spend plus the reservations held reached at a grant since
   *     this incarnation started (what the budget bounds)
   */
  public record Usage(String tenant, double spentTodayUsd, double spentMonthUsd, double reservedUsd,
      int reservations, long requestsLastMinute, long tokensLastMinute, double peakCommittedTodayUsd,
      TenantSpec spec) implements CrossNode {}

  private final TenantSpec spec;
  private final LedgerSettings settings;
  private final Clock clock;
  private final ActorContext<Command> ctx;
  private final SlidingWindow requests = new SlidingWindow(MINUTE_MILLIS);
  private final SlidingWindow tokens = new SlidingWindow(MINUTE_MILLIS);
  /** Events decided but not yet written, and the grants to reply once they are. */
  private final List<LedgerEvent> unwritten = new ArrayList<>();
  private final List<Runnable> afterWrite = new ArrayList<>();
  /** The grants among {@link #unwritten}, by call id: they count against the budget from the moment decided. */
  private final Map<String, CallReserved> unwrittenGrants = new HashMap<>();
  private double unwrittenGrantsUsd;
  private boolean flushQueued;
  private double peakCommittedToday;
  private long peakDay;

  public static PersistenceId persistenceId(String tenant) {
    return PersistenceId.of("tenant-ledger", tenant, "|");
  }

  /** Starts this node's part of the {@code tenant-ledger} sharding. */
  public static void initSharding(ActorSystem<?> system, Tenants tenants, LedgerSettings settings, Clock clock,
      BackoffSupervisorStrategy restart) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create(tenants.get(ctx.getEntityId())
        .orElse(unlimited(ctx.getEntityId())), settings, clock, restart)).withStopMessage(Stop.INSTANCE));
  }

  /** A tenant with no limit (one API keys name but the configuration does not): its spend is still recorded. */
  static TenantSpec unlimited(String tenant) {
    return new TenantSpec(tenant, 0, 0, 0, 0, List.of(), 1);
  }

  public static Behavior<Command> create(TenantSpec spec, LedgerSettings settings, Clock clock,
      BackoffSupervisorStrategy restart) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(EXPIRY_TIMER, ExpiryDue.INSTANCE, settings.expiryCheckInterval());
      return new TenantLedger(spec, settings, clock, ctx, restart);
    }));
  }

  private TenantLedger(TenantSpec spec, LedgerSettings settings, Clock clock, ActorContext<Command> ctx,
      BackoffSupervisorStrategy restart) {
    super(persistenceId(spec.name()), restart);
    this.spec = spec;
    this.settings = settings;
    this.clock = clock;
    this.ctx = ctx;
  }

  @Override
  public LedgerState emptyState() {
    return LedgerState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public CommandHandler<Command, LedgerEvent, LedgerState> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(AdmitRequest.class, this::onAdmit)
        .onCommand(CountRequest.class, (state, c) -> {
          requests.add(clock.millis(), 1);
          return Effect().none();
        })
        .onCommand(Reserve.class, this::onReserve)
        .onCommand(Settle.class, this::onSettle)
        .onCommand(Flush.class, (state, f) -> flush())
        .onCommand(Stop.class, (state, stop) -> stop())
        .onCommand(ExpiryDue.class, this::onExpiryDue)
        .onCommand(GetUsage.class, this::onGetUsage)
        .build();
  }

  @Override
  public EventHandler<LedgerState, LedgerEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onAnyEvent((state, event) -> state.apply(event, settings.expiredKept()));
  }

  @Override
  public SignalHandler<LedgerState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          requests.restore(state.rates().requests());
          tokens.restore(state.rates().tokens());
        })
        .build();
  }

  private Effect<LedgerEvent, LedgerState> onAdmit(LedgerState state, AdmitRequest admit) {
    long now = clock.millis();
    long limit = spec.requestsPerMinute();
    long wait = limit > 0 ? requests.waitMillis(now, limit, 1) : 0;
    if (wait > 0) {
      admit.replyTo().tell(new RequestRefused(spec.name(), limit, wait, "tenant " + spec.name()
          + " reached its limit of " + limit + " requests per minute (requests-per-minute); 0 left, the next frees in "
          + seconds(wait) + " s"));
      return Effect().none();
    }
    requests.add(now, 1);
    admit.replyTo().tell(Admitted.INSTANCE);
    return Effect().none();
  }

  private Effect<LedgerEvent, LedgerState> onReserve(LedgerState state, Reserve reserve) {
    if (state.reservations().containsKey(reserve.callId()) || unwrittenGrants.containsKey(reserve.callId())) {
      return grantAfterWrite(reserve); // a resend of a call granted before
    }
    long now = clock.millis();
    ReserveRefused refused = refusal(state, reserve, now);
    if (refused != null) {
      reserve.replyTo().tell(refused);
      return Effect().none();
    }
    CallReserved grant = new CallReserved(reserve.callId(), reserve.usd(), reserve.tokens(), now,
        now + settings.reservationTtl().toMillis());
    unwritten.add(grant);
    unwrittenGrants.put(grant.callId(), grant);
    unwrittenGrantsUsd += grant.usd();
    tokens.add(now, reserve.tokens());
    long today = LedgerState.dayOf(now);
    double committed = state.spentToday(now) + state.reservedUsd() + unwrittenGrantsUsd;
    peakCommittedToday = peakDay == today ? Math.max(peakCommittedToday, committed) : committed;
    peakDay = today;
    return grantAfterWrite(reserve);
  }

  /** Why the reservation does not fit, or null when it does. */
  private ReserveRefused refusal(LedgerState state, Reserve reserve, long now) {
    double held = state.reservedUsd() + unwrittenGrantsUsd;
    if (spec.budgetUsdPerDay() > 0) {
      double left = spec.budgetUsdPerDay() - state.spentToday(now) - held;
      if (reserve.usd() > left) {
        return new ReserveRefused(reserve.callId(), Limit.BUDGET_PER_DAY, Math.max(0, left),
            LedgerState.untilNextDay(now), budgetMessage("budget-usd-per-day", spec.budgetUsdPerDay(),
                state.spentToday(now), held, left, reserve.usd(), "today (UTC)"));
      }
    }
    if (spec.budgetUsdPerMonth() > 0) {
      double left = spec.budgetUsdPerMonth() - state.spentThisMonth(now) - held;
      if (reserve.usd() > left) {
        return new ReserveRefused(reserve.callId(), Limit.BUDGET_PER_MONTH, Math.max(0, left),
            LedgerState.untilNextMonth(now), budgetMessage("budget-usd-per-month", spec.budgetUsdPerMonth(),
                state.spentThisMonth(now), held, left, reserve.usd(), "this month (UTC)"));
      }
    }
    long tpm = spec.tokensPerMinute();
    if (tpm > 0) {
      long wait = tokens.waitMillis(now, tpm, reserve.tokens());
      if (wait > 0) {
        long left = Math.max(0, tpm - tokens.sum(now));
        boolean never = reserve.tokens() > tpm;
        return new ReserveRefused(reserve.callId(), Limit.TOKENS_PER_MINUTE, left, never ? -1 : wait,
            "tenant " + spec.name() + " reached its limit of " + tpm + " tokens per minute (tokens-per-minute): the"
                + " call is estimated at " + reserve.tokens() + " tokens and " + left + " are left"
                + (never ? "; the call alone exceeds the limit (lower max_tokens)"
                    : "; enough free in " + seconds(wait) + " s"));
      }
    }
    return null;
  }

  private String budgetMessage(String key, double budget, double spent, double held, double left, double estimate,
      String window) {
    return String.format(Locale.ROOT, "tenant %s reached its %s of %.6f USD: %.6f USD spent %s and %.6f USD"
        + " reserved by calls in flight leave %.6f USD, less than the call's estimate of %.6f USD", spec.name(), key,
        budget, spent, window, held, Math.max(0, left), estimate);
  }

  private Effect<LedgerEvent, LedgerState> grantAfterWrite(Reserve reserve) {
    afterWrite.add(() -> reserve.replyTo().tell(new Granted(reserve.callId())));
    queueFlush();
    return Effect().none();
  }

  private Effect<LedgerEvent, LedgerState> onSettle(LedgerState state, Settle settle) {
    long now = clock.millis();
    CallReserved held = state.reservations().get(settle.callId());
    if (held == null) {
      held = unwrittenGrants.get(settle.callId());
    }
    tokens.add(now, held == null ? settle.tokens() : settle.tokens() - held.tokens()); // the excess over the estimate
    unwritten.add(new CallSettled(settle.callId(), Math.max(0, settle.usd()), Math.max(0, settle.tokens()), now));
    queueFlush();
    return Effect().none();
  }

  private Effect<LedgerEvent, LedgerState> onExpiryDue(LedgerState state, ExpiryDue due) {
    long now = clock.millis();
    List<CallReserved> due2 = state.reservations().values().stream().filter(r -> r.expiresAtMillis() <= now)
        .toList();
    if (!due2.isEmpty()) {
      ctx.getLog().warn("tenant {}: {} reservation(s) ({} USD) were not settled within {} (their queries' node died?);"
          + " counted as spent at their estimates", spec.name(), due2.size(),
          due2.stream().mapToDouble(CallReserved::usd).sum(), settings.reservationTtl());
      due2.forEach(r -> unwritten.add(new ReservationExpired(r.callId(), now)));
      queueFlush();
    }
    return Effect().none();
  }

  private Effect<LedgerEvent, LedgerState> onGetUsage(LedgerState state, GetUsage get) {
    long now = clock.millis();
    double peak = peakDay == LedgerState.dayOf(now) ? peakCommittedToday : 0;
    get.replyTo().tell(new Usage(spec.name(), state.spentToday(now), state.spentThisMonth(now),
        state.reservedUsd() + unwrittenGrantsUsd, state.reservations().size() + unwrittenGrants.size(),
        requests.sum(now), tokens.sum(now), peak, spec));
    return Effect().none();
  }

  private void queueFlush() {
    if (!flushQueued) {
      flushQueued = true;
      ctx.getSelf().tell(Flush.INSTANCE);
    }
  }

  /** Writes every decided event in one journal write, then replies the grants among them. */
  private Effect<LedgerEvent, LedgerState> flush() {
    flushQueued = false;
    if (unwritten.isEmpty()) { // only resends of grants already written
      afterWrite.forEach(Runnable::run);
      afterWrite.clear();
      return Effect().none();
    }
    List<LedgerEvent> events = List.copyOf(unwritten);
    List<Runnable> replies = List.copyOf(afterWrite);
    unwritten.clear();
    afterWrite.clear();
    unwrittenGrants.clear();
    unwrittenGrantsUsd = 0;
    return Effect().persist(events).thenRun(state -> replies.forEach(Runnable::run));
  }

  /** Writes the rate windows with whatever is unwritten, replies the grants among it, and stops. */
  private Effect<LedgerEvent, LedgerState> stop() {
    long now = clock.millis();
    List<LedgerEvent> events = new ArrayList<>(unwritten);
    RateWindowsKept windows = new RateWindowsKept(now, requests.entries(now), tokens.entries(now));
    if (!windows.requests().isEmpty() || !windows.tokens().isEmpty()) {
      events.add(windows);
    }
    List<Runnable> replies = List.copyOf(afterWrite);
    unwritten.clear();
    afterWrite.clear();
    unwrittenGrants.clear();
    unwrittenGrantsUsd = 0;
    if (events.isEmpty()) { // nothing counted in the last minute, only resends of grants already written
      replies.forEach(Runnable::run);
      return Effect().stop();
    }
    return Effect().persist(events).thenRun(state -> replies.forEach(Runnable::run)).thenStop();
  }

  private static String seconds(long millis) {
    return Long.toString(Math.max(1, (millis + 999) / 1000));
  }
}
