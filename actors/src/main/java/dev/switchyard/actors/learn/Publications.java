package dev.switchyard.actors.learn;

import dev.switchyard.protocol.PolicySnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Learner}'s publication bookkeeping: the episodes written since its last publication (their count decides
 * when {@code switchyard.learner.publish-every} is reached; their query ids go out with the next publication, so a
 * node drops them from the ones it learned locally, {@link LocalPolicies}), and what a publication of a state holds.
 * The learner publishes (to the topic) and runs the {@code publish-interval} timer. Not thread-safe (one actor owns
 * it).
 */
final class Publications {
  private final String pipeline;
  private final int publishEvery;
  /** Query ids of the episodes written since the last publication. */
  private final List<String> unpublishedIds = new ArrayList<>();

  /** @param publishEvery {@code switchyard.learner.publish-every}: publish after this many written episodes */
  Publications(String pipeline, int publishEvery) {
    this.pipeline = pipeline;
    this.publishEvery = publishEvery;
  }

  /** Episodes of these query ids were written; true when {@code publish-every} is reached: publish now. */
  boolean written(List<String> queryIds) {
    unpublishedIds.addAll(queryIds);
    return unpublishedIds.size() >= publishEvery;
  }

  /** Whether episodes were written since the last publication. */
  boolean pending() {
    return !unpublishedIds.isEmpty();
  }

  /**
   * What the learner would publish now: the acting version, the newer candidate (manual promotion; null when the
   * newest version acts) and the episodes written since the last publication.
   */
  PolicyPublished of(Learner.State state) {
    PolicySnapshot candidate = state.latest().version() == state.promoted().version() ? null : state.latest();
    return new PolicyPublished(pipeline, state.promoted(), candidate, unpublishedIds);
  }

  /** The publication of {@code state}, to be published now: the episodes are counted anew after it. */
  PolicyPublished take(Learner.State state) {
    PolicyPublished publication = of(state);
    unpublishedIds.clear();
    return publication;
  }
}
