package dev.switchyard.strategies.cascade;

import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.difficulty.KnnRouter;
import dev.switchyard.strategies.difficulty.TaskBestRouter;
import java.util.List;
import java.util.function.Supplier;

/**
 * Switchyard's own strategies that combine the survey's stages, and the reference strategies the flagship is
 * measured against (issue 3's quality bar).
 */
public final class FlagshipFamily {
  private FlagshipFamily() {}

  public static List<Supplier<Strategy>> members() {
    return List.of(AgreementCascade::flagship, AgreementCascade::tunedConfidenceCascade, TaskBestRouter::new,
        () -> new KnnRouter(25));
  }
}
