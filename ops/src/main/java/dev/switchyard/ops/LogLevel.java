package dev.switchyard.ops;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The log level of {@code SWITCHYARD_LOG_LEVEL}, for Logback ({@code logback.xml}) and for Pekko (set as
 * {@code pekko.loglevel} at start by {@link SwitchyardCli}, which refuses a name that is no level). Pekko spells
 * warnings {@code WARNING} and reads {@code WARN} as ERROR; Logback spells them {@code WARN} and reads a name it
 * does not know as DEBUG, which logged every journaled command of a node under load. Either spelling works here.
 */
public final class LogLevel extends PropertyDefinerBase {
  public static final String VARIABLE = "SWITCHYARD_LOG_LEVEL";
  private static final Map<String, String> LOGBACK = Map.of("OFF", "OFF", "ERROR", "ERROR", "WARN", "WARN",
      "WARNING", "WARN", "INFO", "INFO", "DEBUG", "DEBUG");

  /** The Logback level for {@code value}; empty when it names none. */
  public static Optional<String> logback(String value) {
    return Optional.ofNullable(LOGBACK.get(value.trim().toUpperCase(Locale.ROOT)));
  }

  /** The Pekko level for a valid {@code value} ({@code WARN} and {@code WARNING} are both {@code WARNING}). */
  public static String pekko(String value) {
    String level = logback(value).orElseThrow();
    return level.equals("WARN") ? "WARNING" : level;
  }

  /** A problem with the variable's value, if it is set and names no level. */
  public static Optional<String> problem(String value) {
    if (value == null || logback(value).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(VARIABLE + " must be one of OFF, ERROR, WARN (or WARNING), INFO, DEBUG; got '" + value + "'");
  }

  @Override
  public String getPropertyValue() {
    String value = System.getenv(VARIABLE);
    return value == null ? "INFO" : logback(value).orElse("INFO");
  }
}
