package dev.switchyard.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-made recorded-outcomes file in the shared format: 2 models, 8 questions (4 train, 4 test). The small
 * model is right on the easy half only; the big one is always right and costs 20 times more.
 */
public final class TinyDataset {
  private TinyDataset() {}

  public static final List<String> QUESTIONS = List.of(
      "What is 2 + 2?", "What colour is the sky on a clear day?", "Name the largest ocean on Earth.",
      "What is the capital of Italy?", "What is 17 * 23?", "Who proved Fermat's Last Theorem?",
      "What is the derivative of x^3?", "Which element has atomic number 79?");
  public static final List<String> ANSWERS = List.of(
      "4", "Blue", "The Pacific Ocean", "Rome", "391", "Andrew Wiles", "3x^2", "Gold");

  public static Path write(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < QUESTIONS.size(); i++) {
      boolean easy = i % 2 == 0;
      String split = i < 4 ? "train" : "test";
      String q = QUESTIONS.get(i).replace("\"", "\\\"");
      String a = ANSWERS.get(i);
      lines.add("{\"id\":\"tiny-" + split + "-" + i + "\",\"task\":\"trivia\",\"source_split\":\"" + split + "\","
          + "\"prompt\":\"" + q + "\",\"models\":{"
          + "\"small\":{\"correct\":" + (easy ? 1 : 0) + ",\"cost_usd\":0.0001,\"in_tokens\":20,\"out_tokens\":5,"
          + "\"latency_ms\":50,\"logprob_conf\":" + (easy ? "-0.05" : "-2.5") + ",\"answer\":\""
          + (easy ? a : "I am not sure") + "\"},"
          + "\"big\":{\"correct\":1,\"cost_usd\":0.002,\"in_tokens\":20,\"out_tokens\":8,\"latency_ms\":400,"
          + "\"logprob_conf\":-0.01,\"answer\":\"" + a + "\"}}}");
    }
    Files.createDirectories(dir);
    Path file = dir.resolve("queries.jsonl");
    Files.write(file, lines);
    return file;
  }
}
