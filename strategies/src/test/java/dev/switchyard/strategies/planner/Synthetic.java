package dev.switchyard.strategies.planner;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small seeded world for planner tests: "small" (cost 1e-5) is right on easy questions and says so with a
 * high confidence, and mostly wrong on hard ones with a low confidence; "big" (cost 1e-4) is right 95% of the
 * time. The best policy asks small first and escalates when it is unsure.
 */
public final class Synthetic {
  private Synthetic() {}

  public static final String EASY = "What is 2 + 2?";
  public static final String HARD = "Prove that the sequence of prime gaps is unbounded, showing every lemma you use in detail.";

  public static RecordedDataset world(int n, String split, long seed) {
    return world(n, split, seed, true);
  }

  /** With {@code confidenceTells} false, every answer's recorded confidence is the same (no signal at all). */
  public static RecordedDataset world(int n, String split, long seed, boolean confidenceTells) {
    Random rnd = new Random(seed);
    List<RecordedQuery> qs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean easy = i % 2 == 0;
      boolean smallRight = easy || rnd.nextDouble() < 0.2;
      boolean bigRight = rnd.nextDouble() < 0.95;
      double smallConfidence = easy ? -0.02 - 0.05 * rnd.nextDouble() : -1.0 - rnd.nextDouble();
      double bigConfidence = -0.05 - 0.3 * rnd.nextDouble();
      Map<String, RecordedOutcome> o = new LinkedHashMap<>();
      o.put("small", new RecordedOutcome(smallRight ? 1 : 0, 1e-5, 10, 2, 100,
          confidenceTells ? smallConfidence : -0.5, smallRight ? "A" : "B"));
      o.put("big", new RecordedOutcome(bigRight ? 1 : 0, 1e-4, 10, 2, 300, confidenceTells ? bigConfidence : -0.5,
          bigRight ? "A" : "C"));
      qs.add(new RecordedQuery(split + "-" + i, "qa", split, easy ? EASY : HARD, o));
    }
    return new RecordedDataset("synthetic", List.of("small", "big"), qs, true);
  }
}
