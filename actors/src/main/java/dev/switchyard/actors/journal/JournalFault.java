package dev.switchyard.actors.journal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.h2.api.ErrorCode;

/**
 * Why the journal's database cannot be used, read from a JDBC failure: the kind (what an operator does about it
 * differs: stop the other process, make the directory writable, free space, restore the file) and a one-line
 * detail taken from the failure, never a stack trace. Recognises H2's error codes and the I/O errors beneath
 * them; other databases' failures are {@link Kind#UNUSABLE} with their message.
 */
public record JournalFault(Kind kind, String detail) {
  public enum Kind {
    LOCKED("locked by another process",
        "stop the other process that uses it (e.g. another switchyard serve on the same state dir), or use another"
            + " state dir"),
    READ_ONLY("read-only",
        "make the state dir and the file writable (remount the filesystem read-write), or use another state dir"),
    DISK_FULL("out of disk space",
        "free space on its filesystem (or grow it), or use another state dir"),
    CORRUPTED("corrupted",
        "restore the file from a backup, or move it aside (the node then starts with an empty journal)"),
    CLOSED("closed (the database shut itself down after a failed write)",
        "free space or fix the filesystem; the node reopens it by itself"),
    UNUSABLE("unusable",
        "check the journal's database URL, user and password (pekko-persistence-jdbc.shared-databases.slick.db)");

    private final String label;
    private final String advice;

    Kind(String label, String advice) {
      this.label = label;
      this.advice = advice;
    }

    /** What is wrong, in a few words. */
    public String label() {
      return label;
    }

    /** What an operator does about it. */
    public String advice() {
      return advice;
    }
  }

  private static final int MAX_DETAIL = 240;

  /** The fault a failure shows, from its whole cause chain (the innermost I/O error decides disk full). */
  public static JournalFault of(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    for (Throwable t : chain) {
      Kind k = kindOf(t);
      if (k != Kind.UNUSABLE) {
        return new JournalFault(k, detail(chain, t));
      }
    }
    return new JournalFault(Kind.UNUSABLE, detail(chain, chain.get(chain.size() - 1)));
  }

  private static Kind kindOf(Throwable t) {
    String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
    if (message.contains("no space left")) {
      return Kind.DISK_FULL;
    }
    if (message.contains("read-only file system") || message.contains("read only file system")) {
      return Kind.READ_ONLY;
    }
    if (t instanceof SQLException sql) {
      switch (sql.getErrorCode()) {
        case ErrorCode.DATABASE_ALREADY_OPEN_1:
          return Kind.LOCKED;
        case ErrorCode.DATABASE_IS_READ_ONLY:
          return Kind.READ_ONLY;
        case ErrorCode.FILE_CORRUPTED_1:
          return Kind.CORRUPTED;
        case ErrorCode.DATABASE_IS_CLOSED:
          return Kind.CLOSED;
        default:
          break;
      }
    }
    if (message.contains("file is locked") || message.contains("database may be already in use")) {
      return Kind.LOCKED;
    }
    if (message.contains("corrupt") || message.contains("block not found") || message.contains("unable to read the page")
        || message.contains("chunk") && message.contains("not found")) {
      return Kind.CORRUPTED;
    }
    if (message.contains("database is already closed") || message.contains("database is closed")) {
      return Kind.CLOSED;
    }
    return Kind.UNUSABLE;
  }

  /**
   * The most telling message, on one line: that of the failure that showed the kind, else the innermost one
   * (H2 wraps the I/O error or the MVStore's complaint), with the error code of the outermost SQL failure.
   */
  private static String detail(List<Throwable> chain, Throwable telling) {
    String text = firstLine(telling.getMessage());
    if (text.isEmpty() || telling instanceof SQLException && chain.indexOf(telling) < chain.size() - 1
        && text.startsWith("General error")) {
      Throwable innermost = chain.get(chain.size() - 1);
      text = firstLine(innermost.getMessage()).isEmpty() ? innermost.getClass().getSimpleName()
          : firstLine(innermost.getMessage());
    }
    for (Throwable t : chain) {
      if (t instanceof SQLException sql && sql.getErrorCode() != 0) {
        text = "H2/SQL error " + sql.getErrorCode() + ": " + text;
        break;
      }
    }
    return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "..." : text;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    // H2 appends "[<code>-<build>]" and, on a second line, the SQL statement: neither helps an operator.
    String line = message.lines().findFirst().orElse("").replaceAll("\\s*\\[\\d+-\\d+]$", "")
        .replaceAll("\\s*\\[[\\d.]+/\\d+]$", "");
    return line.replaceAll("\\p{Cntrl}", " ").strip();
  }

  /** What is wrong and the failure that shows it, e.g. {@code out of disk space (... No space left on device)}. */
  public String summary() {
    return kind.label() + " (" + detail + ")";
  }

  /** One line: what is at fault ({@code the journal /var/journal.mv.db}), what is wrong, why, what to do. */
  public String describe(String subject) {
    return subject + " is " + summary() + "; " + kind.advice();
  }
}
