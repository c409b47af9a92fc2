package dev.switchyard.actors.learn;

import dev.switchyard.protocol.Episode;
import dev.switchyard.strategies.learn.OnlineLearner;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's current policies, read by QueryActors without a message hop. Written by the {@link PolicyBoard}
 * actor, which swaps in a whole new {@link View} (an OnlineLearner restored from a newer snapshot), and, under
 * auto promotion, by {@link #learnLocally} between publications.
 *
 * <p>Why local learning: the learner singleton is the authority, but a published version reaches the node one
 * journal write (tens of milliseconds, more under load) after the episodes it contains. When queries finish
 * faster than that, every decision in between repeated the same stale choice: a UCB1 in the demo sent 300 of
 * 300 queries to its first arm. So a node also applies each episode it finished to its acting learner at once,
 * and keeps it as pending; when a publication arrives, the pending episodes it lists as learned are dropped,
 * the rest are re-applied on top of the published parameters, and those older than the grace period are
 * assumed learned (or lost) and dropped. Between publications a node's policy is therefore the authority's
 * plus its own recent episodes (other nodes' recent episodes arrive with the next publication); the singleton's
 * journal remains the only state that is kept. Under manual promotion nothing is learned locally: the acting
 * version must stay the promoted one.
 */
public final class LocalPolicies {
  /**
   * @param candidate the shadow policy (null when none); it decides in shadow and is never acted on
   */
  public record View(long activeVersion, OnlineLearner active, long candidateVersion, OnlineLearner candidate) {}

  private record Pending(Episode episode, long atMillis) {}

  /** Episodes this node learned locally and no publication has confirmed yet, per locally learning pipeline. */
  private static final class Local {
    final Map<String, Pending> pending = new LinkedHashMap<>();
  }

  private final Map<String, View> views = new ConcurrentHashMap<>();
  private final Map<String, Local> local = new ConcurrentHashMap<>();
  private final long graceMillis;
  private final int maxPending;

  /** Without local learning (every decision uses the newest published version only). */
  public LocalPolicies() {
    this(0, 0);
  }

  /**
   * @param graceMillis how long a locally learned episode waits to be listed in a publication before it is
   *     assumed learned (or lost) and no longer re-applied
   * @param maxPending cap on the pending episodes per pipeline (oldest dropped first); 0 disables local learning
   */
  public LocalPolicies(long graceMillis, int maxPending) {
    if (graceMillis < 0 || maxPending < 0) {
      throw new IllegalArgumentException("grace and max pending must be >= 0, got " + graceMillis + " and "
          + maxPending);
    }
    this.graceMillis = graceMillis;
    this.maxPending = maxPending;
  }

  public Optional<View> view(String pipeline) {
    return Optional.ofNullable(views.get(pipeline));
  }

  /** Applies a finished, scored episode to the acting policy of a locally learning pipeline at once. */
  public void learnLocally(String pipeline, Episode episode, long nowMillis) {
    Local l = local.get(pipeline);
    if (l == null || episode.score() == null) {
      return;
    }
    synchronized (l) {
      View v = views.get(pipeline);
      if (v == null) {
        return;
      }
      l.pending.remove(episode.queryId());
      l.pending.put(episode.queryId(), new Pending(episode, nowMillis));
      if (l.pending.size() > maxPending) {
        Iterator<String> oldest = l.pending.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      v.active().learn(episode);
    }
  }

  /** Registers a pipeline whose acting policy may learn locally (auto promotion); a no-op if disabled. */
  void enableLocalLearning(String pipeline) {
    if (maxPending > 0) {
      local.putIfAbsent(pipeline, new Local());
    }
  }

  void put(String pipeline, View view) {
    views.put(pipeline, view);
  }

  /**
   * Installs a published view: drops the pending episodes it includes ({@code learnedIds}, or older than the
   * grace period before its creation) and re-applies the rest to its acting learner.
   */
  void published(String pipeline, View view, Collection<String> learnedIds, long createdAtMillis) {
    Local l = local.get(pipeline);
    if (l == null) {
      views.put(pipeline, view);
      return;
    }
    synchronized (l) {
      learnedIds.forEach(l.pending::remove);
      l.pending.values().removeIf(p -> p.atMillis() < createdAtMillis - graceMillis);
      for (Pending p : l.pending.values()) {
        view.active().learn(p.episode());
      }
      views.put(pipeline, view);
    }
  }

  /** Pending locally learned episodes of a pipeline (for tests and diagnostics). */
  public int pending(String pipeline) {
    Local l = local.get(pipeline);
    if (l == null) {
      return 0;
    }
    synchronized (l) {
      return l.pending.size();
    }
  }
}
