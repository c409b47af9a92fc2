package dev.switchyard.actors.metrics;

import com.typesafe.config.Config;
import dev.switchyard.protocol.Episode;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last {@code switchyard.dashboard.recent-episodes} episodes that finished on this node, newest first: what the
 * dashboard shows of recent queries and their steps. Bounded (the oldest goes when a new one comes), in memory only,
 * and per node (a query's episode finishes on the node hosting its entity). Thread-safe and non-blocking in the
 * actors' sense: an actor records on its own thread and holds the lock only to add one reference.
 */
public final class RecentEpisodes {
  /** The setting that bounds how many are kept. */
  public static final String SETTING = "switchyard.dashboard.recent-episodes";

  private final int capacity;
  private final ArrayDeque<Episode> newestFirst;

  /** @param capacity how many are kept; 0 keeps none */
  public RecentEpisodes(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException(SETTING + " must be >= 0, got " + capacity);
    }
    this.capacity = capacity;
    this.newestFirst = new ArrayDeque<>(capacity);
  }

  /** Reads {@value #SETTING} from a full configuration. */
  public static RecentEpisodes fromConfig(Config root) {
    return new RecentEpisodes(root.getInt(SETTING));
  }

  /** A finished episode (its query has just answered or abstained). */
  public void finished(Episode episode) {
    if (capacity == 0) {
      return;
    }
    synchronized (newestFirst) {
      if (newestFirst.size() == capacity) {
        newestFirst.removeLast();
      }
      newestFirst.addFirst(episode);
    }
  }

  /** What is kept now, newest first. */
  public List<Episode> newestFirst() {
    synchronized (newestFirst) {
      return List.copyOf(newestFirst);
    }
  }

  public int capacity() {
    return capacity;
  }
}
