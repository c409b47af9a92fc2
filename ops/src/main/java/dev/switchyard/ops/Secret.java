package dev.switchyard.ops;

import java.util.Objects;

/**
 * A credential (API key, password) that must not leak: {@link #toString()} is redacted, so a secret inside a
 * record, a log line or an exception message shows as {@code Secret[redacted]}. Read the value only where it
 * is sent ({@link #reveal()}). Not serializable on purpose: secrets never enter events, snapshots or messages.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    Objects.requireNonNull(value, "secret value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("a secret must not be blank");
    }
    return new Secret(value);
  }

  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
