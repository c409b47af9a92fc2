package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.plan.PlanState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Arch-Router (Tran et al., "Arch-Router: Aligning LLM Routing with Human Preferences", arXiv 2506.16655):
 * preference-aligned routing by operator-written policies, each a natural-language description of a domain or
 * action mapped to a model ("math word problems -&gt; llama3.1-70b"). A query goes to the model of the policy whose
 * description it matches best; the mapping can change without retraining. The paper matches with a 1.5B
 * generative model; here the match is the idf-weighted coverage of the policy's words by the query,
 * {@code match(q, p) = sum_{w in words(p) and words(q)} idf(w) / sum_{w in words(p)} idf(w)} (words of three or
 * more letters, lower-cased, a plural "s" stripped; idf from the training prompts), so that a long query is not
 * penalised for talking about more than the policy names. A query whose best match is below
 * {@code minSimilarity} falls back to the cost-aware choice on the models' overall training quality.
 *
 * <p>Without configured policies, a default set is derived from the training tasks: one policy per task, its
 * description the task's most distinctive words (document frequency inside the task minus outside), its model
 * chosen per trade-off point as {@code argmax_m mean_task(score_m) - lambda c_m,task / C}. Configured policies keep
 * their model at every trade-off point (the operator's preference wins); only the fallback moves with lambda.
 * The decision uses the text only: the query's task field is ignored, as a policy router sees only the prompt.
 */
public final class ArchRouter extends UtilityRouter {
  private static final int DESCRIPTION_WORDS = 40;
  private final List<RoutePolicy> configured;
  private final double minSimilarity;
  private final List<RoutePolicy> policies = new ArrayList<>();
  private final List<java.util.Set<String>> policyWords = new ArrayList<>();
  private final Map<String, Double> idf = new HashMap<>();
  private double unseenIdf;
  private final Map<String, Integer> policyTask = new HashMap<>();
  private double[] overallQuality;

  /**
   * A routing policy: when a query matches {@code description}, send it to {@code modelId}. A null model means
   * "the best model for this task at the current trade-off" (default task policies only).
   */
  public record RoutePolicy(String name, String description, String modelId) {
    public RoutePolicy {
      Objects.requireNonNull(description, "description");
      if (description.isBlank()) {
        throw new IllegalArgumentException("a routing policy needs a description");
      }
      name = name == null || name.isBlank() ? description : name;
    }

    /** Parses {@code "description -> model"} (the configuration's line format). */
    public static RoutePolicy parse(String line) {
      int arrow = line == null ? -1 : line.lastIndexOf("->");
      if (arrow <= 0 || line.substring(arrow + 2).isBlank() || line.substring(0, arrow).isBlank()) {
        throw new IllegalArgumentException("a policy must read 'description -> model', got: " + line);
      }
      String description = line.substring(0, arrow).strip();
      return new RoutePolicy(description, description, line.substring(arrow + 2).strip());
    }
  }

  /** Default task-derived policies. */
  public ArchRouter() {
    this(List.of(), 0.1);
  }

  public ArchRouter(List<RoutePolicy> policies, double minSimilarity) {
    super(512);
    this.configured = List.copyOf(policies);
    for (RoutePolicy p : configured) {
      if (p.modelId() == null) {
        throw new IllegalArgumentException("configured policy '" + p.name() + "' names no model");
      }
    }
    if (!(minSimilarity >= 0 && minSimilarity < 1)) {
      throw new IllegalArgumentException("minSimilarity must lie in [0, 1), got " + minSimilarity);
    }
    this.minSimilarity = minSimilarity;
  }

  /** Policies from configuration lines {@code "description -> model"}. */
  public static ArchRouter fromLines(List<String> lines, double minSimilarity) {
    return new ArchRouter(lines.stream().map(RoutePolicy::parse).toList(), minSimilarity);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("arch-router",
        "Tran et al., Arch-Router: Aligning LLM Routing with Human Preferences, arXiv 2506.16655",
        Dimensions.of(When.PRE_GENERATION, How.HEURISTIC, Signal.QUERY, Signal.MODEL_METADATA),
        "policy matching by idf-weighted word coverage instead of a 1.5B generative router; default policies derived from "
            + "the training tasks (distinctive words -> best model per task at each cost weight)");
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    policies.clear();
    policyWords.clear();
    policyTask.clear();
    idf.clear();
    Map<String, Integer> df = new HashMap<>();
    for (RecordedQuery q : train.queries()) {
      words(q.prompt()).forEach(w -> df.merge(w, 1, Integer::sum));
    }
    int n = train.size();
    df.forEach((w, count) -> idf.put(w, Math.log((1.0 + n) / (1.0 + count)) + 1.0));
    unseenIdf = Math.log(1.0 + n) + 1.0;
    int models = set.models().size();
    overallQuality = new double[models];
    for (int m = 0; m < models; m++) {
      overallQuality[m] = set.meanScore(m);
    }
    if (configured.isEmpty()) {
      List<String> tasks = encoder.tasks();
      for (int t = 0; t < tasks.size(); t++) {
        RoutePolicy p = new RoutePolicy("task:" + tasks.get(t), "task " + tasks.get(t) + ": "
            + String.join(" ", distinctiveWords(train, tasks.get(t), DESCRIPTION_WORDS)), null);
        policyTask.put(p.name(), t);
        policies.add(p);
      }
    } else {
      for (RoutePolicy p : configured) {
        if (!set.models().contains(p.modelId())) {
          throw new IllegalArgumentException("policy '" + p.name() + "' routes to " + p.modelId()
              + ", which is not among the models " + set.models());
        }
        policies.add(p);
      }
    }
    for (RoutePolicy p : policies) {
      java.util.Set<String> w = words(p.description());
      if (w.isEmpty()) {
        throw new IllegalArgumentException("policy '" + p.name() + "' has no word of three or more letters");
      }
      policyWords.add(w);
    }
  }

  public List<RoutePolicy> policies() {
    requireFitted();
    return List.copyOf(policies);
  }

  /** The best-matching policy's index for a text, or -1 if none reaches {@code minSimilarity}. */
  public int match(String text) {
    requireFitted();
    java.util.Set<String> query = words(text);
    int best = -1;
    double bestScore = minSimilarity;
    for (int p = 0; p < policyWords.size(); p++) {
      double s = coverage(policyWords.get(p), query);
      if (s >= bestScore && (best < 0 || s > bestScore)) {
        best = p;
        bestScore = s;
      }
    }
    return best;
  }

  /** The idf-weighted share of a policy's words that the query contains. */
  double coverage(java.util.Set<String> policy, java.util.Set<String> query) {
    double covered = 0;
    double total = 0;
    for (String w : policy) {
      double weight = idf.getOrDefault(w, unseenIdf);
      total += weight;
      if (query.contains(w)) {
        covered += weight;
      }
    }
    return total == 0 ? 0 : covered / total;
  }

  @Override
  public RouteDecision route(PlanState state, double costWeight) {
    int p = match(state.query().text());
    if (p >= 0 && policies.get(p).modelId() != null) {
      String model = policies.get(p).modelId();
      List<String> offered = state.models().stream().map(ModelCard::id).toList();
      RouteDecision byUtility = super.route(state, costWeight);
      if (offered.contains(model)) {
        List<String> ranking = new ArrayList<>();
        ranking.add(model);
        byUtility.ranking().stream().filter(m -> !m.equals(model)).forEach(ranking::add);
        return new RouteDecision(ranking, Double.NaN, "arch-router policy: " + policies.get(p).name());
      }
    }
    return super.route(state, costWeight);
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    int p = match(query.text());
    if (p < 0 || !policyTask.containsKey(policies.get(p).name())) {
      return overallQuality.clone();
    }
    int task = policyTask.get(policies.get(p).name());
    double[] q = new double[overallQuality.length];
    for (int m = 0; m < q.length; m++) {
      q[m] = taskPrior.mean(task, m);
    }
    return q;
  }

  @Override
  protected double utility(ModelCard card, double quality, String task, double costWeight) {
    // the cost of the matched policy's task is unknown to a text-only router: use the model's mean cost
    return super.utility(card, quality, null, costWeight);
  }

  /** Words whose document frequency inside the task most exceeds that outside it. */
  static List<String> distinctiveWords(RecordedDataset train, String task, int limit) {
    Map<String, Integer> inside = new HashMap<>();
    Map<String, Integer> outside = new HashMap<>();
    int nIn = 0;
    int nOut = 0;
    for (RecordedQuery q : train.queries()) {
      boolean in = q.task().equals(task);
      if (in) {
        nIn++;
      } else {
        nOut++;
      }
      for (String w : words(q.prompt())) {
        (in ? inside : outside).merge(w, 1, Integer::sum);
      }
    }
    Map<String, Double> score = new LinkedHashMap<>();
    for (var e : inside.entrySet()) {
      double s = e.getValue() / (double) nIn - (nOut == 0 ? 0 : outside.getOrDefault(e.getKey(), 0) / (double) nOut);
      if (s > 0) {
        score.put(e.getKey(), s);
      }
    }
    return score.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(limit).map(Map.Entry::getKey).toList();
  }

  private static java.util.Set<String> words(String text) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (w.length() >= 3) {
        out.add(w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.substring(0, w.length() - 1) : w);
      }
    }
    return out;
  }
}
