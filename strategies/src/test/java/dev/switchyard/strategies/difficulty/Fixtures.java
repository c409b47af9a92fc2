package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small hand-made recording: three cheap models (tiny-a, tiny-b, tiny-c) and an expensive one (large).
 * <ul>
 *   <li>math (20 queries): only large is right;</li>
 *   <li>trivia (20): everyone is right;</li>
 *   <li>vote (12): large is right; tiny-x is wrong on every third query (a different third per model, each with
 *       its own wrong letter), so a vote of the three tinies is always right.</li>
 * </ul>
 */
public final class Fixtures {
  public static final List<String> MODELS = List.of("tiny-a", "tiny-b", "tiny-c", "large");
  public static final String[] NAMES = {"Tolstoy", "Austen", "Dickens", "Orwell", "Woolf", "Joyce", "Kafka", "Camus",
      "Hugo", "Twain"};
  public static final String[] TOPICS = {"rivers", "planets", "metals", "birds", "rocks", "stars"};

  private Fixtures() {}

  public static RecordedDataset train() {
    List<RecordedQuery> queries = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queries.add(query("math-" + i, "math", mathPrompt(i), new double[] {0, 0, 0, 1},
          new String[] {"12", "13", "14", String.valueOf(i * 7 + 3)}));
    }
    for (int i = 0; i < 20; i++) {
      queries.add(query("trivia-" + i, "trivia", triviaPrompt(i), new double[] {1, 1, 1, 1},
          new String[] {"Paris", "Paris", "Paris", "Paris"}));
    }
    for (int i = 0; i < 12; i++) {
      double[] s = {1, 1, 1, 1};
      String[] a = {"B", "B", "B", "B"};
      s[i % 3] = 0;
      a[i % 3] = i % 3 == 0 ? "C" : i % 3 == 1 ? "D" : "A";
      queries.add(query("vote-" + i, "vote", votePrompt(i), s, a));
    }
    return new RecordedDataset("fixture", MODELS, queries, true);
  }

  public static String mathPrompt(int i) {
    return "Compute " + (17 + i) + " plus " + (3 * i + 5) + " times " + (i % 4 + 2) + " and give the number";
  }

  public static String triviaPrompt(int i) {
    return "Who wrote the famous novel volume " + i + " attributed to " + NAMES[i % NAMES.length] + " in the old library";
  }

  public static String votePrompt(int i) {
    return "Choose the right letter for item " + i + " about " + TOPICS[i % TOPICS.length] + " choices A B C D";
  }

  public static RecordedQuery query(String id, String task, String prompt, double[] scores, String[] answers) {
    Map<String, RecordedOutcome> outcomes = new LinkedHashMap<>();
    for (int m = 0; m < MODELS.size(); m++) {
      double cost = MODELS.get(m).equals("large") ? 1e-3 : MODELS.get(m).equals("tiny-a") ? 0.8e-5 : 1e-5;
      outcomes.put(MODELS.get(m), new RecordedOutcome(scores[m], cost, 50, 5, 100.0 * (m + 1), -0.1, answers[m]));
    }
    return new RecordedQuery(id, task, "train", prompt, outcomes);
  }

  public static List<ModelCard> cards() {
    return ModelCatalog.fromRecorded(train());
  }

  public static Query ask(String id, String text, String task) {
    return new Query(id, List.of(ChatMessage.user(text)), task, Budget.unlimited());
  }

  public static RecordedQuery recorded(RecordedDataset data, String id) {
    return data.queries().stream().filter(q -> q.id().equals(id)).findFirst().orElseThrow();
  }
}
