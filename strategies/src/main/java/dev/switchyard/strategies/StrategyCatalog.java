package dev.switchyard.strategies;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Every offline strategy of the library by name, so the evaluator and the engine's configuration can name
 * them. Each family lists its own members.
 */
public final class StrategyCatalog {
  private StrategyCatalog() {}

  public static Map<String, Supplier<Strategy>> all() {
    List<Supplier<Strategy>> suppliers = new ArrayList<>();
    suppliers.addAll(dev.switchyard.strategies.difficulty.RouterFamily.members());
    suppliers.addAll(dev.switchyard.strategies.cascade.PostGenerationFamily.members());
    suppliers.addAll(dev.switchyard.strategies.cascade.FlagshipFamily.members());
    suppliers.addAll(dev.switchyard.strategies.planner.PlannerFamily.members());
    Map<String, Supplier<Strategy>> byName = new TreeMap<>();
    for (Supplier<Strategy> s : suppliers) {
      String name = s.get().info().name();
      if (byName.put(name, s) != null) {
        throw new IllegalStateException("two strategies are named " + name);
      }
    }
    return byName;
  }
}
