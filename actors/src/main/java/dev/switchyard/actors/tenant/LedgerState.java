package dev.switchyard.actors.tenant;

import dev.switchyard.actors.tenant.LedgerEvent.CallReserved;
import dev.switchyard.actors.tenant.LedgerEvent.CallSettled;
import dev.switchyard.actors.tenant.LedgerEvent.RateWindowsKept;
import dev.switchyard.actors.tenant.LedgerEvent.ReservationExpired;
import dev.switchyard.protocol.Journaled;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's spend as its journal holds it (also its snapshot): what settled in the current UTC day and calendar
 * month (each window rolls over at the first event past its end), and the reservations held. Immutable; the event
 * handler of {@link TenantLedger} makes the next one.
 *
 * @param day the UTC epoch day {@code spentDayUsd} is of
 * @param month the UTC month {@code spentMonthUsd} is of, as {@code year * 12 + month - 1}
 * @param reservations held reservations by call id
 * @param reservedUsd their estimates' sum
 * @param expired the last reservations that expired (at most {@code expiredKept}, oldest first): a settle that comes
 *     late for one corrects the estimate counted at expiry to the real cost, instead of counting both
 * @param rates the rate windows as the last incarnation left them when it stopped ({@link RateWindowsKept}): the
 *     next one starts from them (what is older than a minute by then drops out)
 */
public record LedgerState(long day, double spentDayUsd, long month, double spentMonthUsd,
    Map<String, CallReserved> reservations, double reservedUsd, List<CallReserved> expired, RateWindowsKept rates)
    implements Journaled {
  public static final LedgerState EMPTY = new LedgerState(0, 0, 0, 0, Map.of(), 0, List.of(), RateWindowsKept.NONE);

  public LedgerState {
    reservations = reservations == null ? Map.of() : Map.copyOf(reservations);
    expired = expired == null ? List.of() : List.copyOf(expired);
    rates = rates == null ? RateWindowsKept.NONE : rates;
  }

  static long dayOf(long atMillis) {
    return Math.floorDiv(atMillis, 86_400_000L);
  }

  static long monthOf(long atMillis) {
    ZonedDateTime t = Instant.ofEpochMilli(atMillis).atZone(ZoneOffset.UTC);
    return t.getYear() * 12L + t.getMonthValue() - 1;
  }

  /** Millis from {@code atMillis} to the next UTC midnight. */
  static long untilNextDay(long atMillis) {
    return (dayOf(atMillis) + 1) * 86_400_000L - atMillis;
  }

  /** Millis from {@code atMillis} to the first instant of the next UTC month. */
  static long untilNextMonth(long atMillis) {
    ZonedDateTime t = Instant.ofEpochMilli(atMillis).atZone(ZoneOffset.UTC);
    return t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
        - atMillis;
  }

  /** Settled spend in the UTC day of {@code nowMillis}. */
  double spentToday(long nowMillis) {
    return day == dayOf(nowMillis) ? spentDayUsd : 0;
  }

  /** Settled spend in the UTC month of {@code nowMillis}. */
  double spentThisMonth(long nowMillis) {
    return month == monthOf(nowMillis) ? spentMonthUsd : 0;
  }

  LedgerState apply(LedgerEvent event, int expiredKept) {
    if (event instanceof RateWindowsKept kept) {
      return new LedgerState(day, spentDayUsd, month, spentMonthUsd, reservations, reservedUsd, expired, kept);
    }
    if (event instanceof CallReserved r) {
      if (reservations.containsKey(r.callId())) {
        return this;
      }
      Map<String, CallReserved> next = new HashMap<>(reservations);
      next.put(r.callId(), r);
      return new LedgerState(day, spentDayUsd, month, spentMonthUsd, next, reservedUsd + r.usd(), expired, rates);
    }
    if (event instanceof CallSettled s) {
      CallReserved held = reservations.get(s.callId());
      if (held != null) {
        return release(held).spend(s.usd(), s.atMillis());
      }
      for (CallReserved e : expired) {
        if (e.callId().equals(s.callId())) {
          // its estimate was counted when it expired: count the difference to what it really cost
          List<CallReserved> rest = new ArrayList<>(expired);
          rest.remove(e);
          return new LedgerState(day, spentDayUsd, month, spentMonthUsd, reservations, reservedUsd, rest, rates)
              .spend(s.usd() - e.usd(), s.atMillis());
        }
      }
      return spend(s.usd(), s.atMillis()); // a call that reserved nothing (a tenant without budget or token limit)
    }
    ReservationExpired x = (ReservationExpired) event;
    CallReserved held = reservations.get(x.callId());
    if (held == null) {
      return this;
    }
    LedgerState released = release(held);
    List<CallReserved> kept = new ArrayList<>(expired);
    kept.add(held);
    while (kept.size() > expiredKept) {
      kept.remove(0);
    }
    return new LedgerState(released.day, released.spentDayUsd, released.month, released.spentMonthUsd,
        released.reservations, released.reservedUsd, kept, rates).spend(held.usd(), x.atMillis());
  }

  private LedgerState release(CallReserved held) {
    Map<String, CallReserved> next = new HashMap<>(reservations);
    next.remove(held.callId());
    double reserved = next.isEmpty() ? 0 : reservedUsd - held.usd(); // no drift left over once none is held
    return new LedgerState(day, spentDayUsd, month, spentMonthUsd, next, reserved, expired, rates);
  }

  /** Adds {@code usd} to the windows of {@code atMillis}; one stamped before them (a clock step back) counts in them. */
  private LedgerState spend(double usd, long atMillis) {
    long d = dayOf(atMillis);
    long m = monthOf(atMillis);
    double dayUsd = d > day ? usd : spentDayUsd + usd;
    double monthUsd = m > month ? usd : spentMonthUsd + usd;
    return new LedgerState(Math.max(d, day), dayUsd, Math.max(m, month), monthUsd, reservations, reservedUsd,
        expired, rates);
  }
}
