package dev.switchyard.simulator.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress line on stderr. On a terminal it redraws one line in place (at most every 100 ms); elsewhere
 * (a pipe, a CI log) it prints a plain line at every tenth of the work, so logs stay readable.
 */
final class ProgressBar {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final String label;
  private final int total;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private long lastDrawNanos = Long.MIN_VALUE;
  private int lastTenth;
  private int done;
  private int failed;

  ProgressBar(PrintStream out, boolean terminal, String label, int total, LongSupplier nanoClock) {
    this.out = out;
    this.terminal = terminal;
    this.label = label;
    this.total = Math.max(0, total);
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
  }

  static boolean stderrIsTerminal() {
    return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
  }

  synchronized void advance(boolean ok) {
    done++;
    if (!ok) {
      failed++;
    }
    long now = nanoClock.getAsLong();
    if (terminal) {
      if (now - lastDrawNanos >= 100_000_000L || done == total) {
        lastDrawNanos = now;
        out.print("\r" + line(now));
        out.flush();
      }
    } else {
      int tenth = total == 0 ? 10 : (int) (10L * done / total);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        out.println(line(now));
      }
    }
  }

  synchronized void finish() {
    if (terminal) {
      out.print("\r" + line(nanoClock.getAsLong()) + "\n");
      out.flush();
    }
  }

  synchronized String line(long nowNanos) {
    int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
    double secs = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    return String.format(Locale.ROOT, "%-20s [%s%s] %d/%d %5.1f%% %6.1f q/s%s", label, "#".repeat(filled),
        ".".repeat(WIDTH - filled), done, total, total == 0 ? 100.0 : 100.0 * done / total, done / secs,
        failed == 0 ? "" : "  failed " + failed);
  }
}
