package dev.switchyard.actors.tenant;

import dev.switchyard.protocol.Journaled;
import java.util.List;
import java.util.Objects;

/**
 * What happened to a tenant's spend, past tense, journaled under {@code tenant-ledger|<tenant>} (Jackson). Rates
 * (requests and tokens per minute) are journaled only when the ledger stops ({@link RateWindowsKept}): see
 * {@link TenantLedger}.
 */
public sealed interface LedgerEvent extends Journaled {
  long atMillis();

  /** A call's estimated cost and tokens were granted and are held until it settles or expires. */
  record CallReserved(String callId, double usd, long tokens, long atMillis, long expiresAtMillis)
      implements LedgerEvent {
    public CallReserved {
      Objects.requireNonNull(callId, "callId");
    }
  }

  /** A call ended and cost {@code usd} (0 when it failed or was refused): its reservation, if any, is released. */
  record CallSettled(String callId, double usd, long tokens, long atMillis) implements LedgerEvent {
    public CallSettled {
      Objects.requireNonNull(callId, "callId");
    }
  }

  /** A reservation's settle did not come within the TTL: its estimate counts as spent. */
  record ReservationExpired(String callId, long atMillis) implements LedgerEvent {
    public ReservationExpired {
      Objects.requireNonNull(callId, "callId");
    }
  }

  /**
   * The ledger stopped (passivated, or handed off in a rebalance) holding these entries of its sliding rate
   * windows, each an amount at a time: its next incarnation, on whichever node, starts from them.
   */
  record RateWindowsKept(long atMillis, List<Amount> requests, List<Amount> tokens) implements LedgerEvent {
    public static final RateWindowsKept NONE = new RateWindowsKept(0, List.of(), List.of());

    public RateWindowsKept {
      requests = requests == null ? List.of() : List.copyOf(requests);
      tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }
  }

  /** One entry of a sliding window: {@code amount} (requests or tokens) counted at {@code atMillis}. */
  record Amount(long atMillis, long amount) {}
}
