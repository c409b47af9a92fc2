package dev.switchyard.strategies.cascade;

import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.clustering.AvengersPro;
import dev.switchyard.strategies.clustering.UniRoute;
import dev.switchyard.strategies.uncertainty.CpRouter;
import dev.switchyard.strategies.uncertainty.LlmJudgeCascade;
import dev.switchyard.strategies.uncertainty.LogprobProbe;
import java.util.List;
import java.util.function.Supplier;

/** Cascades, verifiers, clustering and uncertainty methods of the survey. */
public final class PostGenerationFamily {
  private PostGenerationFamily() {}

  public static List<Supplier<Strategy>> members() {
    return List.of(
        ConfidenceCascade::new,
        FrugalGpt::new,
        AutoMix::new,
        SelfRef::new,
        CascadeRouting::new,
        LlmBlender::new,
        UniRoute::new,
        AvengersPro::new,
        CpRouter::new,
        LogprobProbe::new,
        LlmJudgeCascade::new);
  }
}
