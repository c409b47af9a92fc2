package dev.switchyard.simulator.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Small recorded-outcome files written by tests. */
final class TinyData {
  private TinyData() {}

  /**
   * Two models, weak (cost 1-2) and strong (cost 3-4). Test split, by query: both right; only strong right;
   * both wrong; both right (weak at cost 2, strong at 4). Two train queries.
   */
  static Path twoModels(Path dir) throws IOException {
    List<String> lines = List.of(
        row("tr-1", "train", 1, 1, 1, 3),
        row("tr-2", "train", 0, 1, 1, 3),
        row("te-1", "test", 1, 1, 1, 3),
        row("te-2", "test", 0, 1, 1, 3),
        row("te-3", "test", 0, 1, 0, 3),
        row("te-4", "test", 1, 2, 1, 4));
    Path file = dir.resolve("two.jsonl");
    Files.write(file, lines);
    return file;
  }

  private static String row(String id, String split, int weak, double weakCost, int strong, double strongCost) {
    return String.format(Locale.ROOT, "{\"id\":\"%s\",\"task\":\"t\",\"source_split\":\"%s\",\"prompt\":\"q %s\","
        + "\"models\":{\"weak\":{\"correct\":%d,\"cost_usd\":%s,\"answer\":\"a\"},"
        + "\"strong\":{\"correct\":%d,\"cost_usd\":%s,\"answer\":\"b\"}}}", id, split, id, weak, weakCost, strong,
        strongCost);
  }

  /**
   * A seeded synthetic file: {@code n} queries over two tasks and three models (accuracy about 0.5, 0.7 and
   * 0.9, costs 1e-5, 1e-4 and 1e-3), each with a log-probability confidence that is higher when the answer is
   * right; correct answers are "A", wrong ones a random other letter. 40% train, the rest test.
   */
  static Path synthetic(Path dir, int n, long seed) throws IOException {
    Random r = new Random(seed);
    String[] models = {"small", "medium", "large"};
    double[] accuracy = {0.5, 0.7, 0.9};
    double[] cost = {1e-5, 1e-4, 1e-3};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String task = i % 2 == 0 ? "alpha" : "beta";
      double difficulty = r.nextDouble() * 0.3;
      StringBuilder m = new StringBuilder();
      for (int j = 0; j < models.length; j++) {
        boolean correct = r.nextDouble() < accuracy[j] - difficulty + (task.equals("beta") ? 0.05 : 0);
        double conf = correct ? -Math.abs(r.nextGaussian() * 0.2) : -Math.abs(r.nextGaussian() * 1.0);
        String answer = correct ? "A" : String.valueOf((char) ('B' + r.nextInt(3)));
        m.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT,
            "\"%s\":{\"correct\":%d,\"cost_usd\":%s,\"in_tokens\":100,\"out_tokens\":1,\"latency_ms\":%d,"
                + "\"logprob_conf\":%s,\"answer\":\"%s\"}", models[j], correct ? 1 : 0, cost[j] * (1 + r.nextDouble() * 0.1),
            100 * (j + 1), conf, answer));
      }
      lines.add(String.format(Locale.ROOT, "{\"id\":\"q%d\",\"task\":\"%s\",\"source_split\":\"%s\","
          + "\"prompt\":\"question %d about %s\",\"models\":{%s}}", i, task, i < n * 0.4 ? "train" : "test", i, task, m));
    }
    Path file = dir.resolve("synthetic.jsonl");
    Files.write(file, lines);
    return file;
  }
}
