package dev.switchyard.actors.tenant;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code switchyard.tenant-ledger.*}: see reference.conf. */
public record LedgerSettings(Duration askTimeout, Duration reservationTtl, Duration expiryCheckInterval,
    double charsPerToken, int defaultOutputTokens, int snapshotEvery, int expiredKept) {
  public static final String PATH = "switchyard.tenant-ledger";

  public LedgerSettings {
    positive("ask-timeout", askTimeout);
    positive("reservation-ttl", reservationTtl);
    positive("expiry-check-interval", expiryCheckInterval);
    if (!(charsPerToken > 0) || defaultOutputTokens < 0 || snapshotEvery <= 0 || expiredKept < 0) {
      throw new IllegalArgumentException(PATH + ": chars-per-token and snapshot-every must be > 0, default-output-"
          + "tokens and expired-kept >= 0; got " + charsPerToken + ", " + snapshotEvery + ", " + defaultOutputTokens
          + ", " + expiredKept);
    }
  }

  private static void positive(String key, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(PATH + "." + key + " must be > 0, got " + d);
    }
  }

  public static LedgerSettings from(Config root) {
    Config c = root.getConfig(PATH);
    return new LedgerSettings(c.getDuration("ask-timeout"), c.getDuration("reservation-ttl"),
        c.getDuration("expiry-check-interval"), c.getDouble("chars-per-token"), c.getInt("default-output-tokens"),
        c.getInt("snapshot-every"), c.getInt("expired-kept"));
  }
}
