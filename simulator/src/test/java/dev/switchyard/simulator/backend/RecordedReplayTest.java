package dev.switchyard.simulator.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Replay against the shared recording (skipped where it is absent). */
class RecordedReplayTest {
  private static RecordedDataset data;
  private static PromptIndex index;

  @BeforeAll
  static void load() {
    Path file = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"), "zellinger-cascade9",
        "queries.jsonl").toAbsolutePath();
    Assumptions.assumeTrue(Files.isRegularFile(file), "recorded data not found at " + file + "; skipping");
    data = RecordedDataset.load(file);
    index = new PromptIndex(data, 8192, 1000);
  }

  @Test
  void everyModelReplaysItsRecordedOutcome() throws Exception {
    RecordedQuery q = data.split("test").queries().get(123);
    for (String model : data.models()) {
      ReplayBackend b = ReplayBackend.builder(model, index).seed(1).build();
      try {
        Response r = b.complete(new BackendRequest("rec/" + model, model, List.of(ChatMessage.user(q.prompt())),
            q.prompt(), 0)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        RecordedOutcome o = q.outcome(model);
        assertEquals(o.answer(), r.text(), model);
        assertEquals(o.costUsd(), r.costUsd(), 0.0, model);
        assertEquals(o.score(), r.referenceScore(), 0.0, model);
        assertEquals(o.inTokens(), r.inputTokens(), model);
        assertEquals(o.outTokens(), r.outputTokens(), model);
        assertEquals(o.confidence(), r.confidence(), 0.0, model);
        assertNull(r.note());
      } finally {
        b.close();
      }
    }
  }

  @Test
  void perturbedPromptsFindTheirRecordedQuery() {
    List<RecordedQuery> sample = data.shuffled(5).stream()
        .filter(q -> q.prompt().split("\\s+").length > 25).limit(200).toList();
    int found = 0;
    for (RecordedQuery q : sample) {
      // Lower-cased (so not an exact match) and without its last five words.
      String[] words = q.prompt().toLowerCase().split("\\s+");
      String perturbed = String.join(" ", java.util.Arrays.copyOf(words, words.length - 5));
      PromptIndex.Match m = index.lookup(perturbed);
      if (m.query().prompt().equals(q.prompt())) {
        found++;
      }
    }
    // Some prompts were recorded twice (same text, two ids), hence the comparison by text; 95% is the bar.
    assertTrue(found >= 190, "found " + found + " of " + sample.size());
  }
}
