package dev.switchyard.actors.learn;

import dev.switchyard.protocol.Episode;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The finished, unscored episodes of one learned pipeline that a late feedback may still score, whatever became
 * of their query entities (an ephemeral query's entity is passivated minutes after its end): each for
 * {@code window} after it finished, at most {@code maxEpisodes} of them (the oldest go first), and the queries
 * rewarded within the window, so that a query is learned from once. Held in the learner's memory: a hand-over
 * of the learner singleton starts an empty window.
 */
final class FeedbackWindow {
  /** What a late feedback does. */
  sealed interface Outcome {}

  /** Learn {@code scored}: the first reward of a query still in the window. */
  record Learn(Episode scored) implements Outcome {}

  /** The query has a reward already: refused, unless replacing (then recorded, not learned again). */
  record AlreadyRewarded(double reward, boolean replaced) implements Outcome {}

  /** Not (or no longer) in the window. */
  record Unknown() implements Outcome {}

  private record Waiting(Episode episode, long finishedAtMillis) {}

  /** @param signal the reward came from the pipeline's reward signal, not from a feedback */
  private record Reward(double reward, long atMillis, boolean signal) {}

  private final long windowMillis;
  private final int maxEpisodes;
  private final LinkedHashMap<String, Waiting> waiting = new LinkedHashMap<>();
  /** Episodes taken for a reward signal that is being asked for (a judge call in flight); a feedback still wins. */
  private final LinkedHashMap<String, Waiting> signalling = new LinkedHashMap<>();
  /** Episodes whose signal did not come (none to read, a failed call): a feedback may still score them. */
  private final LinkedHashMap<String, Waiting> unsignalled = new LinkedHashMap<>();
  private final LinkedHashMap<String, Reward> rewarded = new LinkedHashMap<>();
  /**
   * The tenant that asked each query the window holds (only queries of a tenant): a feedback from any other is
   * answered as for a query the window does not hold.
   */
  private final LinkedHashMap<String, String> owners = new LinkedHashMap<>();

  FeedbackWindow(Duration window, int maxEpisodes) {
    this.windowMillis = window.toMillis();
    this.maxEpisodes = maxEpisodes;
  }

  boolean enabled() {
    return windowMillis > 0 && maxEpisodes > 0;
  }

  /** A finished episode without a score: a late feedback may score it within the window. */
  void finished(Episode unscored, long now) {
    if (!enabled() || rewarded.containsKey(unscored.queryId())) {
      return;
    }
    waiting.put(unscored.queryId(), new Waiting(unscored, now));
    expire(now);
  }

  /**
   * An episode learned with a feedback's reward through its query entity: no late feedback learns it again. False (and
   * nothing changes) when the query was learned from its reward signal already: a feedback that reaches a
   * (durable) query's entity after that is not learned a second time.
   */
  boolean learned(Episode scored, long now) {
    if (!enabled()) {
      return true;
    }
    Reward earlier = rewarded.get(scored.queryId());
    if (earlier != null && earlier.signal()) {
      return false;
    }
    waiting.remove(scored.queryId());
    signalling.remove(scored.queryId());
    unsignalled.remove(scored.queryId());
    rewarded.put(scored.queryId(), new Reward(scored.score(), now, false));
    expire(now);
    return true;
  }

  /**
   * The query {@code queryId} was asked by {@code tenant} (null without API keys); told just before its episode
   * comes ({@link #finished}, {@link #learned}, {@link #noSignal}), whose trimming keeps the owner while the window
   * holds the query.
   */
  void ownedBy(String queryId, String tenant) {
    if (enabled() && tenant != null) {
      owners.put(queryId, tenant);
    }
  }

  Outcome feedback(String queryId, double reward, boolean replace, long now) {
    return feedback(queryId, reward, replace, null, now);
  }

  /** @param tenant the tenant the feedback is from: only the query's own is taken (any other reads Unknown) */
  Outcome feedback(String queryId, double reward, boolean replace, String tenant, long now) {
    expire(now);
    if (!java.util.Objects.equals(owners.get(queryId), tenant)) {
      return new Unknown();
    }
    Reward earlier = rewarded.get(queryId);
    if (earlier != null) {
      if (replace) {
        rewarded.put(queryId, new Reward(reward, earlier.atMillis(), earlier.signal()));
      }
      return new AlreadyRewarded(earlier.reward(), replace);
    }
    Waiting w = waiting.remove(queryId);
    if (w == null) {
      w = signalling.remove(queryId); // a feedback wins over a signal still being asked for
    }
    if (w == null) {
      w = unsignalled.remove(queryId);
    }
    if (w == null) {
      return new Unknown();
    }
    rewarded.put(queryId, new Reward(reward, now, false));
    return new Learn(w.episode().withScore(reward));
  }

  /** Takes the waiting episodes that finished {@code afterMillis} or longer ago (no feedback came for them). */
  java.util.List<Episode> takeUnrewarded(long now, long afterMillis) {
    expire(now);
    java.util.List<Episode> due = new java.util.ArrayList<>();
    Iterator<Map.Entry<String, Waiting>> it = waiting.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Waiting> oldest = it.next();
      if (now - oldest.getValue().finishedAtMillis() < afterMillis) {
        break;
      }
      due.add(oldest.getValue().episode());
      it.remove();
    }
    return due;
  }

  /** {@code taken} (from {@link #takeUnrewarded}) waits for its reward signal: a feedback meanwhile still wins. */
  void awaitingSignal(Episode taken, long now) {
    if (enabled()) {
      signalling.put(taken.queryId(), new Waiting(taken, now));
      expire(now);
    }
  }

  /** The episode of a query {@link #awaitingSignal}, or null when it no longer waits (a feedback came first). */
  Episode awaitedSignal(String queryId) {
    Waiting w = signalling.get(queryId);
    return w == null ? null : w.episode();
  }

  /**
   * The signal of a query {@link #awaitingSignal} came: its episode scored with {@code reward}, now rewarded, or
   * null when it no longer waits (a feedback came first, or it expired).
   */
  Episode signalled(String queryId, double reward, long now) {
    Waiting w = signalling.remove(queryId);
    if (w == null) {
      return null;
    }
    rewarded.put(queryId, new Reward(reward, now, true));
    return w.episode().withScore(reward);
  }

  /**
   * The signal of a query {@link #awaitingSignal} will not come (failed or unparsable): a feedback may still score
   * it, no signal is asked again. True if it was waiting.
   */
  boolean signalFailed(String queryId, long now) {
    Waiting w = signalling.remove(queryId);
    if (w != null) {
      noSignal(w.episode(), now);
    }
    return w != null;
  }

  /**
   * {@code taken} (from {@link #takeUnrewarded}) has no signal to learn from, or was scored at its end: a feedback
   * may still score it, and no signal is asked for it.
   */
  void noSignal(Episode taken, long now) {
    if (enabled()) {
      unsignalled.put(taken.queryId(), new Waiting(taken, now));
      expire(now);
    }
  }

  int size() {
    return waiting.size();
  }

  private void expire(long now) {
    trim(waiting, now, maxEpisodes, Waiting::finishedAtMillis);
    trim(signalling, now, maxEpisodes, Waiting::finishedAtMillis);
    trim(unsignalled, now, maxEpisodes, Waiting::finishedAtMillis);
    trim(rewarded, now, maxEpisodes, Reward::atMillis);
    // an owner goes with the last of its query's entries (the oldest first; at most one per held entry)
    Iterator<String> it = owners.keySet().iterator();
    while (it.hasNext()) {
      String q = it.next();
      boolean held = waiting.containsKey(q) || signalling.containsKey(q) || unsignalled.containsKey(q)
          || rewarded.containsKey(q);
      if (held && owners.size() <= 4 * maxEpisodes) {
        break;
      }
      it.remove();
    }
  }

  private <V> void trim(LinkedHashMap<String, V> map, long now, int max, java.util.function.ToLongFunction<V> at) {
    Iterator<Map.Entry<String, V>> it = map.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, V> oldest = it.next();
      if (map.size() > max || now - at.applyAsLong(oldest.getValue()) > windowMillis) {
        it.remove();
      } else {
        break;
      }
    }
  }
}
