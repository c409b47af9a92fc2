package dev.switchyard.simulator.cli;

/**
 * The exit codes of every {@code switchyard} command (the ops CLI and the simulator's commands it registers), as
 * the top-level README documents them. One place, so that a command cannot drift to a code of its own.
 */
public final class ExitCode {
  /** The command did what it was asked. */
  public static final int OK = 0;
  /** The command failed while running; the message on stderr says why. */
  public static final int FAILED = 1;
  /** Bad usage or input: an unknown flag, a bad value, missing or malformed data or configuration. */
  public static final int USAGE = 2;
  /** Interrupted (128 + SIGINT), as a shell reports a command stopped by Ctrl-C. */
  public static final int INTERRUPTED = 130;

  private ExitCode() {}
}
