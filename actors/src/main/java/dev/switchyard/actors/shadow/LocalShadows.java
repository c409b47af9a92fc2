package dev.switchyard.actors.shadow;

import dev.switchyard.strategies.plan.Planner;
import java.util.Map;
import java.util.Optional;

/**
 * This node's installed shadows and promoted artifacts, per pipeline, read by QueryActors without a message hop
 * and written by the node's {@link ShadowBoard}: a shadow's planner decides in shadow only; an acting one replaces
 * a fixed pipeline's configured planner.
 *
 * @see ShadowRegistry
 */
public final class LocalShadows {
  /** @param label the artifact's fingerprint, as the episode's shadow steps name it */
  public record Entry(String label, Planner planner) {}

  private volatile Map<String, Entry> shadows = Map.of();
  private volatile Map<String, Entry> acting = Map.of();

  public Optional<Entry> shadow(String pipeline) {
    return Optional.ofNullable(shadows.get(pipeline));
  }

  public Optional<Entry> acting(String pipeline) {
    return Optional.ofNullable(acting.get(pipeline));
  }

  /** Swaps in a whole new view (a publication of the registry). */
  void replace(Map<String, Entry> newShadows, Map<String, Entry> newActing) {
    shadows = Map.copyOf(newShadows);
    acting = Map.copyOf(newActing);
  }
}
