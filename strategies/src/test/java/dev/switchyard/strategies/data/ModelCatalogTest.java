package dev.switchyard.strategies.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.testing.TinyData;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {
  @Test
  void parsesParameterCountsFromModelIds() {
    assertEquals(70.0, ModelCatalog.paramsBillions("llama3.1-70b").orElseThrow());
    assertEquals(1.0, ModelCatalog.paramsBillions("llama3.2-1b").orElseThrow());
    assertEquals(32.0, ModelCatalog.paramsBillions("qwen2.5-32b-coder-instruct").orElseThrow());
    assertEquals(200.0, ModelCatalog.paramsBillions("gpt-4o").orElseThrow());
    assertTrue(ModelCatalog.paramsBillions("mystery").isEmpty());
  }

  @Test
  void derivesPricesLatencyAndPriorsFromTrainingOutcomes() {
    RecordedDataset train = TinyData.dataset(
        TinyData.query("a", "train", "p", TinyData.outcome(0, 0.0011, -1, "x"), TinyData.outcome(1, 0.011, -1, "y")),
        TinyData.query("b", "train", "q", TinyData.outcome(1, 0.0011, -1, "x"), TinyData.outcome(1, 0.011, -1, "y")));

    List<ModelCard> cards = ModelCatalog.fromRecorded(train);

    ModelCard small = cards.get(0);
    assertEquals("small", small.id());
    assertEquals(100.0, small.inputUsdPerMTok(), 1e-9, "0.0022 USD over 22 tokens");
    assertEquals(100.0, small.meanLatencyMs());
    assertEquals(0.5, small.descriptor("prior_quality", -1));
    assertEquals(1.0, cards.get(1).descriptor("task:task", -1));
  }
}
