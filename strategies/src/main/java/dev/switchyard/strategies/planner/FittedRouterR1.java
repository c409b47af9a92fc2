package dev.switchyard.strategies.planner;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.bandit.Seeds;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import java.util.List;

/**
 * What {@link RouterR1#fit} learns once, before any policy is trained, immutable and shared by the trainer, every
 * planner and the online learner: the model cards read from the training split, the calibrated response
 * signals, the query-difficulty estimate and the seed.
 */
record FittedRouterR1(RecordedDataset train, List<ModelCard> cards, ResponseSignals signals,
    QueryDifficulty difficulty, long seed) {
  FittedRouterR1 {
    cards = List.copyOf(cards);
  }

  static FittedRouterR1 fit(RecordedDataset train, long seed) {
    return new FittedRouterR1(train, ModelCatalog.fromRecorded(train), ResponseSignals.fit(train),
        QueryDifficulty.fit(train, Seeds.mix(seed, "router-r1/difficulty")), seed);
  }
}
