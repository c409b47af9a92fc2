package dev.switchyard.simulator;

import com.typesafe.config.Config;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of recorded outcomes for when no real recording is at hand, so that the demo, the
 * simulator and the tests run on a fresh machine. It follows item-response theory (the two-parameter logistic
 * model of Birnbaum, 1968):
 *
 * <ul>
 *   <li>9 models {@code synthetic-1b} ... {@code synthetic-671b}; ability
 *       {@code theta_m = -1 + 0.45 ln(params_b) + N(0, 0.1^2)}, and per task an offset
 *       {@code delta_{m,t} ~ N(0, 0.35^2)}, centred over tasks (a model can be better at one task than its size suggests);</li>
 *   <li>queries of 5 tasks with difficulty {@code b_q ~ N(mu_t, 1)} and discrimination
 *       {@code a_q ~ LogNormal(ln 1.2, 0.3^2)};</li>
 *   <li>{@code P(correct) = sigmoid(a_q (theta_m + delta_{m,t} - b_q))};</li>
 *   <li>price per million tokens {@code 0.1 * params_b^0.6} USD (0.10 to 5 USD, rising with ability), tokens
 *       {@code in ~ LogNormal(ln 140, 0.4^2)} shared by all models and {@code out ~ 1 + LogNormal(ln 12, 0.6^2)}
 *       per model; cost = tokens x price;</li>
 *   <li>latency {@code (150 + 40 params_b^0.4 + out (5 + params_b^0.3)) ms} times {@code LogNormal(0, 0.2^2)};</li>
 *   <li>a log-probability-like confidence {@code ln sigmoid(s)} with
 *       {@code s = a_q (theta_m + delta_{m,t} - b_q) + N(0, 1) + 0.75 (correct ? 1 : -1)}: informative but
 *       noisy, like the real signals;</li>
 *   <li>prompts of words drawn from a per-task vocabulary, longer for harder queries (so text features carry
 *       task and difficulty), and multiple-choice answers (a wrong answer is a random other letter);</li>
 *   <li>a seeded random {@code trainFraction} of the queries is the {@code train} split, the rest {@code test}.</li>
 * </ul>
 */
public final class SyntheticFleet {
  public static final List<Double> SIZES_B = List.of(1.0, 3.0, 8.0, 14.0, 32.0, 70.0, 120.0, 405.0, 671.0);
  public static final List<String> TASKS = List.of("synthetic-math", "synthetic-code", "synthetic-trivia",
      "synthetic-medical", "synthetic-reasoning");
  private static final double[] TASK_DIFFICULTY = {0.6, 0.3, -0.4, 0.2, 0.8};
  private static final String[] LETTERS = {"A", "B", "C", "D"};

  private final long seed;
  private final List<String> models = new ArrayList<>();
  private final Map<String, Double> abilities = new LinkedHashMap<>();
  private final Map<String, double[]> taskOffsets = new LinkedHashMap<>();

  public SyntheticFleet(long seed) {
    this.seed = seed;
    Random random = new Random(seed);
    for (double size : SIZES_B) {
      String id = "synthetic-" + formatSize(size) + "b";
      models.add(id);
      abilities.put(id, -1.0 + 0.45 * Math.log(size) + 0.1 * random.nextGaussian());
      double[] offsets = new double[TASKS.size()];
      double mean = 0;
      for (int t = 0; t < offsets.length; t++) {
        offsets[t] = 0.35 * random.nextGaussian();
        mean += offsets[t] / offsets.length;
      }
      // Centred, so that theta_m stays the model's mean ability over tasks.
      for (int t = 0; t < offsets.length; t++) {
        offsets[t] -= mean;
      }
      taskOffsets.put(id, offsets);
    }
  }

  /** With {@code switchyard.simulator.synthetic.queries} and {@code .train-fraction}. */
  public static RecordedDataset fromConfig(Config synthetic, long seed) {
    return new SyntheticFleet(seed).generate(synthetic.getInt("queries"), synthetic.getDouble("train-fraction"));
  }

  public List<String> models() {
    return List.copyOf(models);
  }

  /** The true ability {@code theta_m} of each model (before task offsets). */
  public Map<String, Double> abilities() {
    return Collections.unmodifiableMap(abilities);
  }

  public static double pricePerMTok(double sizeB) {
    return 0.1 * Math.pow(sizeB, 0.6);
  }

  /**
   * @param queries number of queries, at least 10
   * @param trainFraction share of queries in the train split, in (0, 1)
   */
  public RecordedDataset generate(int queries, double trainFraction) {
    if (queries < 10) {
      throw new IllegalArgumentException("synthetic queries must be >= 10, got " + queries);
    }
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException("train fraction must be in (0, 1), got " + trainFraction);
    }
    Random random = new Random(seed ^ 0x5EEDL);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < queries; i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    int trainCount = Math.max(1, Math.min(queries - 1, (int) Math.round(queries * trainFraction)));
    boolean[] isTrain = new boolean[queries];
    for (int i = 0; i < trainCount; i++) {
      isTrain[order.get(i)] = true;
    }
    List<RecordedQuery> out = new ArrayList<>();
    int[] perSplitCounter = new int[2];
    for (int i = 0; i < queries; i++) {
      int task = random.nextInt(TASKS.size());
      double difficulty = TASK_DIFFICULTY[task] + random.nextGaussian();
      double discrimination = Math.min(4.0, Math.exp(Math.log(1.2) + 0.3 * random.nextGaussian()));
      int inTokens = (int) Math.max(8, Math.round(Math.exp(Math.log(140) + 0.4 * random.nextGaussian())));
      int gold = random.nextInt(LETTERS.length);
      String prompt = prompt(task, i, difficulty, random);
      Map<String, RecordedOutcome> outcomes = new LinkedHashMap<>();
      for (int m = 0; m < models.size(); m++) {
        String id = models.get(m);
        double size = SIZES_B.get(m);
        double logit = discrimination * (abilities.get(id) + taskOffsets.get(id)[task] - difficulty);
        boolean correct = random.nextDouble() < sigmoid(logit);
        int outTokens = 1 + (int) Math.round(Math.exp(Math.log(12) + 0.6 * random.nextGaussian()));
        double cost = (inTokens + outTokens) * pricePerMTok(size) / 1_000_000.0;
        double latency = (150 + 40 * Math.pow(size, 0.4) + outTokens * (5 + Math.pow(size, 0.3)))
            * Math.exp(0.2 * random.nextGaussian());
        double signal = logit + random.nextGaussian() + (correct ? 0.75 : -0.75);
        double confidence = -Math.log1p(Math.exp(-signal));
        String answer = correct ? LETTERS[gold] : LETTERS[(gold + 1 + random.nextInt(LETTERS.length - 1)) % 4];
        outcomes.put(id, new RecordedOutcome(correct ? 1 : 0, cost, inTokens, outTokens,
            Math.round(latency * 1000) / 1000.0, confidence, answer));
      }
      String split = isTrain[i] ? "train" : "test";
      int n = perSplitCounter[isTrain[i] ? 0 : 1]++;
      String id = String.format(Locale.ROOT, "%s-%s-%05d", TASKS.get(task), split, n);
      out.add(new RecordedQuery(id, TASKS.get(task), split, prompt, outcomes));
    }
    return new RecordedDataset("synthetic-seed-" + seed, models, out, true);
  }

  private String prompt(int task, int index, double difficulty, Random random) {
    int words = (int) Math.max(4, Math.min(40, Math.round(10 + 4 * difficulty + 2 * random.nextGaussian())));
    StringBuilder sb = new StringBuilder("Synthetic ").append(TASKS.get(task).substring("synthetic-".length()))
        .append(" question ").append(index).append(':');
    for (int w = 0; w < words; w++) {
      // A per-task vocabulary of 200 words, Zipf-like (low indices more frequent).
      int word = (int) Math.floor(200 * Math.pow(random.nextDouble(), 2));
      sb.append(' ').append(TASKS.get(task).charAt(10)).append(task).append('w').append(word);
    }
    return sb.append("\nAnswer with A, B, C or D.").toString();
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static String formatSize(double size) {
    return size == Math.rint(size) ? Long.toString((long) size) : Double.toString(size);
  }
}
