package dev.switchyard.strategies.ml;

/**
 * The key of a memoised per-query estimate, which is a pure function of a query's text and task (no task and the
 * empty task are the same key). A record instead of the concatenated string {@code task + '\0' + text}: that
 * copied the whole prompt and hashed the copy on every lookup, where the text's own hash is cached in it.
 */
public record TextAndTask(String text, String task) {
  public TextAndTask {
    task = task == null ? "" : task;
  }

  public static TextAndTask of(String text, String task) {
    return new TextAndTask(text, task);
  }
}
