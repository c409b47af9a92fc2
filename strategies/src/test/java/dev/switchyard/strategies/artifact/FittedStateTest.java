package dev.switchyard.strategies.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every strategy of the catalog, fitted on part of the shared recording, written as its fitted state and read
 * back, decides exactly as the strategy it was written from: the same models called in the same order and the
 * same answer, for every test query, at the lowest, middle and highest of its trade-offs.
 */
class FittedStateTest {
  private static final Path SHARED = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"),
      "zellinger-cascade9", "queries.jsonl");
  private static RecordedDataset train;
  private static List<RecordedQuery> test;
  private static List<ModelCard> cards;

  @BeforeAll
  static void load() {
    Assumptions.assumeTrue(Files.isRegularFile(SHARED), "recorded data not found at " + SHARED.toAbsolutePath()
        + "; skipping");
    RecordedDataset all = RecordedDataset.load(SHARED);
    RecordedDataset fullTrain = all.split("train");
    train = fullTrain.subset(fullTrain.shuffled(1).subList(0, Math.min(800, fullTrain.size())), "train-part");
    RecordedDataset fullTest = all.split("test");
    test = fullTest.shuffled(2).subList(0, Math.min(60, fullTest.size()));
    cards = ModelCatalog.fromRecorded(train);
  }

  static List<String> strategies() {
    return new ArrayList<>(StrategyCatalog.all().keySet());
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void aStrategyReadBackDecidesAsTheOneWritten(String name) {
    Supplier<Strategy> supplier = StrategyCatalog.all().get(name);
    Strategy fitted = supplier.get();
    fitted.fit(train, StrategyContext.seeded(7));
    Strategy restored = FittedState.decode(FittedState.encode(fitted));
    double[] tradeoffs = fitted.tradeoffs();
    for (double t : new double[] {tradeoffs[0], tradeoffs[tradeoffs.length / 2], tradeoffs[tradeoffs.length - 1]}) {
      for (RecordedQuery q : test) {
        var a = OfflineReplay.run(fitted.planner(t), q, cards, Budget.unlimited(), name, 0);
        var b = OfflineReplay.run(restored.planner(t), q, cards, Budget.unlimited(), name, 0);
        assertEquals(a.calls(), b.calls(), name + " at " + t + " on " + q.id());
        assertEquals(a.answerModel(), b.answerModel(), name + " at " + t + " on " + q.id());
      }
    }
  }
}
