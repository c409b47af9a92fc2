package dev.switchyard.actors.learn;

import dev.switchyard.protocol.PolicySnapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link Learner}'s publication bookkeeping: the episodes written since its last publication (their count decides
 * when {@code switchyard.learner.publish-every} is reached; their query ids go out with the next publication, so a
 * node drops them from the ones it learned locally, {@link LocalPolicies}), and what a publication of a state holds.
 *
 * <p>A publication is the new value of the pipeline's replicated {@link PolicyRegister}, and a node's board is
 * notified of the register's value at most once per {@code notify-subscribers-interval} of Distributed Data: of the
 * values written within one such interval it sees only the last. So each publication also lists the ids of the
 * publications of the {@code idsWindowMillis} before it (twice that interval): a board that skipped them still
 * drops their episodes. Not thread-safe (one actor owns it).
 */
final class Publications {
  private record Published(long atMillis, List<String> ids) {}

  private final String pipeline;
  private final int publishEvery;
  private final long idsWindowMillis;
  /** Query ids of the episodes written since the last publication. */
  private final List<String> unpublishedIds = new ArrayList<>();
  /** The ids each recent publication was the first to list, oldest first. */
  private final Deque<Published> recent = new ArrayDeque<>();

  /**
   * @param publishEvery {@code switchyard.learner.publish-every}: publish after this many written episodes
   * @param idsWindowMillis how far back a publication lists the ids of earlier ones
   */
  Publications(String pipeline, int publishEvery, long idsWindowMillis) {
    this.pipeline = pipeline;
    this.publishEvery = publishEvery;
    this.idsWindowMillis = idsWindowMillis;
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
   * What the learner would publish at {@code nowMillis}: the acting version, the newer candidate (manual promotion;
   * null when the newest version acts), the episodes written since the last publication and those that the
   * publications of the window before listed.
   */
  PolicyPublished of(Learner.State state, long nowMillis) {
    while (!recent.isEmpty() && recent.peekFirst().atMillis() < nowMillis - idsWindowMillis) {
      recent.removeFirst();
    }
    PolicySnapshot candidate = state.latest().version() == state.promoted().version() ? null : state.latest();
    List<String> ids = new ArrayList<>();
    recent.forEach(p -> ids.addAll(p.ids()));
    ids.addAll(unpublishedIds);
    return new PolicyPublished(pipeline, state.promoted(), candidate, ids);
  }

  /** The publication of {@code state}, published at {@code nowMillis}: the episodes are counted anew after it. */
  PolicyPublished take(Learner.State state, long nowMillis) {
    PolicyPublished publication = of(state, nowMillis);
    recent.addLast(new Published(nowMillis, List.copyOf(unpublishedIds)));
    unpublishedIds.clear();
    return publication;
  }
}
