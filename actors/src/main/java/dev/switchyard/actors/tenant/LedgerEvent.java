package dev.switchyard.actors.tenant;

import dev.switchyard.protocol.Journaled;
import java.util.Objects;

/**
 * What happened to a tenant's spend, past tense, journaled under {@code tenant-ledger|<tenant>} (Jackson). Rates
 * (requests and tokens per minute) are not journaled: see {@link TenantLedger}.
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
}
