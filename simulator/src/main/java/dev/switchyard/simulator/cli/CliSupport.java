package dev.switchyard.simulator.cli;

import com.typesafe.config.ConfigException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/** Argument checks and error messages shared by the simulator's commands. */
final class CliSupport {
  static final PrintStream NULL_STREAM = new PrintStream(OutputStream.nullOutputStream());

  private CliSupport() {}

  /** A command body that returns its exit code. */
  @FunctionalInterface
  interface Body {
    int run() throws InterruptedException;
  }

  /**
   * Runs a command body and maps what escapes it to the CLI's contract: one line naming the problem on
   * {@code err}, exit 2 for bad input (a flag's value, a data file), 1 for a failure while running, 130 when
   * interrupted; never a stack trace.
   */
  static int run(String command, PrintStream err, Body body) {
    try {
      return body.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("switchyard " + command + ": interrupted");
      return ExitCode.INTERRUPTED;
    } catch (IllegalArgumentException | dev.switchyard.strategies.data.DataFormatException e) {
      err.println("switchyard " + command + ": error: " + message(e));
      return ExitCode.USAGE;
    } catch (RuntimeException e) {
      err.println("switchyard " + command + ": error: " + message(e));
      return ExitCode.FAILED;
    }
  }

  static int atLeast(String flag, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(flag + " must be >= " + min + ", got " + value);
    }
    return value;
  }

  static double nonNegative(String flag, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(flag + " must be a finite number >= 0, got " + value);
    }
    return value;
  }

  static double positive(String flag, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(flag + " must be a finite number > 0, got " + value);
    }
    return value;
  }

  /** The message a user should see for a failure: the cause that says what went wrong, without a stack. */
  static String message(Throwable e) {
    Throwable t = e;
    while ((t instanceof UncheckedIOException || t.getMessage() == null) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ConfigException) {
      return "configuration: " + t.getMessage();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** Keeps library logs (actor system, connection pool) from drawing over the progress bar and tables. */
  static void quietLogging() {
    org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root instanceof ch.qos.logback.classic.Logger logback && System.getProperty("logback.configurationFile") == null) {
      logback.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }
}
