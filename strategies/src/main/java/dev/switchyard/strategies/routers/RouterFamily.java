package dev.switchyard.strategies.routers;

import dev.switchyard.strategies.Strategy;
import java.util.List;
import java.util.function.Supplier;

/** Pre-generation routers: difficulty-aware and preference-aligned methods of the survey. */
public final class RouterFamily {
  private RouterFamily() {}

  public static List<Supplier<Strategy>> members() {
    return List.of();
  }
}
