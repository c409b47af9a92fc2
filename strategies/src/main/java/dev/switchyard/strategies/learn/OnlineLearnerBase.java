package dev.switchyard.strategies.learn;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PolicySnapshot;
import java.util.HashMap;
import java.util.Map;

/**
 * What every online learner does the same way: it counts the episodes that changed it, serialises learning,
 * snapshots and decisions on one lock (the instance), writes its parameters as a named-parameter
 * {@link PolicySnapshot} under its policy name, and refuses to restore a snapshot of another policy. A subclass
 * supplies only its update rule ({@link #update}) and how its parameters are named ({@link #writeParameters},
 * {@link #readParameters}); its planner reads the parameters inside {@code synchronized (this)} (or through
 * {@link #locked}), the lock this class takes.
 *
 * <p>The parameter names a subclass writes are journaled by the engine's learner singleton: renaming or
 * reshaping one makes older snapshots unreadable.
 */
public abstract class OnlineLearnerBase implements OnlineLearner {
  private final String name;
  private long episodes;

  protected OnlineLearnerBase(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a learner needs a policy name");
    }
    this.name = name;
  }

  /** The policy name its snapshots carry. */
  protected final String name() {
    return name;
  }

  @Override
  public final synchronized void learn(Episode episode) {
    if (update(episode)) {
      episodes++;
    }
  }

  /** Applies one finished episode; returns false when the episode taught nothing (no score, unknown model). */
  protected abstract boolean update(Episode episode);

  @Override
  public final synchronized long episodesLearned() {
    return episodes;
  }

  @Override
  public final synchronized PolicySnapshot snapshot(long version, long createdAtMillis) {
    Map<String, double[]> parameters = new HashMap<>();
    writeParameters(parameters);
    return new PolicySnapshot(name, version, episodes, parameters, createdAtMillis);
  }

  /** Puts every learned parameter into {@code parameters}, as copies. */
  protected abstract void writeParameters(Map<String, double[]> parameters);

  @Override
  public final synchronized void restore(PolicySnapshot snapshot) {
    if (!snapshot.policy().equals(name)) {
      throw new IllegalArgumentException("snapshot is of policy '" + snapshot.policy() + "', this learner is '"
          + name + "'");
    }
    readParameters(snapshot);
    episodes = snapshot.episodes();
  }

  /** Replaces every learned parameter with the snapshot's (copies); throws if they do not fit this learner. */
  protected abstract void readParameters(PolicySnapshot snapshot);

  /** Runs {@code decision} under the learner's lock, so it sees no half-applied update. */
  protected final <T> T locked(java.util.function.Supplier<T> decision) {
    synchronized (this) {
      return decision.get();
    }
  }
}
