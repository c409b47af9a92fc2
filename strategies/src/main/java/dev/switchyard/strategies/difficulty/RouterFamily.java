package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.preference.EagleRouter;
import dev.switchyard.strategies.preference.P2lRouter;
import dev.switchyard.strategies.preference.RouteLlmMfRouter;
import dev.switchyard.strategies.preference.RouteLlmSwRouter;
import java.util.List;
import java.util.function.Supplier;

/** Pre-generation routers: difficulty-aware and preference-aligned methods of the survey (arXiv 2603.04445, Table 2). */
public final class RouterFamily {
  private RouterFamily() {}

  public static List<Supplier<Strategy>> members() {
    return List.of(
        // difficulty-aware
        BestRouteRouter::new,
        ReasoningModeRouter::new,
        EmbedLlmRouter::new,
        IrtRouter::new,
        GraphRouter::new,
        IclRouter::new,
        RouteLmtRouter::new,
        // preference-aligned
        RouteLlmMfRouter::new,
        RouteLlmSwRouter::new,
        RouteLlmClassifierRouter::new,
        HybridLlmRouter::new,
        ArchRouter::new,
        P2lRouter::new,
        EagleRouter::new,
        ZooterRouter::new);
  }
}
