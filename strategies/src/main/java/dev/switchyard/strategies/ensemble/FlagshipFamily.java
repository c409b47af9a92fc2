package dev.switchyard.strategies.ensemble;

import dev.switchyard.strategies.Strategy;
import java.util.List;
import java.util.function.Supplier;

/** Switchyard's own strategies that combine the survey's stages. */
public final class FlagshipFamily {
  private FlagshipFamily() {}

  public static List<Supplier<Strategy>> members() {
    return List.of();
  }
}
