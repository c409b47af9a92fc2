package dev.switchyard.strategies.cascade;

import dev.switchyard.strategies.Strategy;
import java.util.List;
import java.util.function.Supplier;

/** Cascades, verifiers, clustering and uncertainty methods of the survey. */
public final class PostGenerationFamily {
  private PostGenerationFamily() {}

  public static List<Supplier<Strategy>> members() {
    return List.of(ConfidenceCascade::new, dev.switchyard.strategies.clustering.UniRoute::new,
        dev.switchyard.strategies.clustering.AvengersPro::new, dev.switchyard.strategies.uncertainty.CpRouter::new,
        dev.switchyard.strategies.uncertainty.LogprobProbe::new, dev.switchyard.strategies.uncertainty.LlmJudgeCascade::new,
        FrugalGpt::new);
  }
}
