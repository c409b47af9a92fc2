package dev.switchyard.actors.learn;

import dev.switchyard.strategies.learn.OnlineLearner;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's current policies, read by QueryActors without a message hop. Written only by the
 * {@link PolicyBoard} actor, which swaps in a whole new {@link View} (an OnlineLearner restored from a newer
 * snapshot), so a reader always sees one consistent version.
 */
public final class LocalPolicies {
  /**
   * @param candidate the shadow policy (null when none); it decides in shadow and is never acted on
   */
  public record View(long activeVersion, OnlineLearner active, long candidateVersion, OnlineLearner candidate) {}

  private final Map<String, View> views = new ConcurrentHashMap<>();

  public Optional<View> view(String pipeline) {
    return Optional.ofNullable(views.get(pipeline));
  }

  void put(String pipeline, View view) {
    views.put(pipeline, view);
  }
}
