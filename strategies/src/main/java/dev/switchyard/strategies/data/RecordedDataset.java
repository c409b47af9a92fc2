package dev.switchyard.strategies.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Recorded LLM outcomes in the shared {@code queries.jsonl} format: one JSON object per line with {@code id},
 * {@code task}, {@code source_split}, {@code prompt} and {@code models}: per model a score ({@code correct} or
 * {@code score}) and optionally {@code cost_usd} (or {@code cost}), {@code in_tokens}, {@code out_tokens},
 * {@code latency_ms}, {@code logprob_conf} (or {@code confidence}) and {@code answer}.
 *
 * <p>A non-finite confidence ({@code -Infinity}, {@code NaN}) is read as "not recorded" (NaN), so that
 * calibrators only ever see finite signals.
 *
 * <p>When no line records a cost, each model's cost becomes 1 for the strongest model (highest mean score)
 * and 0 for the others, so that a mean cost reads as the share of calls to the strong model.
 */
public final class RecordedDataset {
  // The recorded files carry a few log-probabilities of -Infinity (a confidence of exactly zero), which strict
  // JSON forbids; they are read, then treated as "no usable signal" (see load()).
  private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final String name;
  private final List<String> models;
  private final List<RecordedQuery> queries;
  private final boolean costRecorded;

  public RecordedDataset(String name, List<String> models, List<RecordedQuery> queries, boolean costRecorded) {
    this.name = Objects.requireNonNull(name, "name");
    this.models = List.copyOf(models);
    this.queries = List.copyOf(queries);
    this.costRecorded = costRecorded;
  }

  /** Reads a whole file; fails with the file name and line number on the first malformed line. */
  public static RecordedDataset load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataFormatException("recorded outcomes file not found: " + file.toAbsolutePath());
    }
    List<String> models = null;
    List<RecordedQuery> queries = new ArrayList<>();
    boolean anyCost = false;
    boolean anyMissingCost = false;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode row;
        try {
          row = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new DataFormatException(file + ":" + lineNo + ": not valid JSON: " + e.getOriginalMessage());
        }
        String where = file + ":" + lineNo;
        JsonNode modelsNode = required(row, "models", where);
        if (!modelsNode.isObject() || modelsNode.isEmpty()) {
          throw new DataFormatException(where + ": 'models' must be a non-empty object");
        }
        Map<String, RecordedOutcome> outcomes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = modelsNode.fields(); it.hasNext(); ) {
          var e = it.next();
          JsonNode m = e.getValue();
          String mw = where + ": model '" + e.getKey() + "'";
          JsonNode score = m.has("correct") ? m.get("correct") : m.get("score");
          if (score == null || !score.isNumber()) {
            throw new DataFormatException(mw + " has no numeric 'correct' or 'score'");
          }
          JsonNode cost = m.has("cost_usd") ? m.get("cost_usd") : m.get("cost");
          if (cost != null && cost.isNumber()) {
            anyCost = true;
          } else {
            anyMissingCost = true;
          }
          JsonNode conf = m.has("logprob_conf") ? m.get("logprob_conf") : m.get("confidence");
          outcomes.put(e.getKey(), new RecordedOutcome(
              score.asDouble(),
              cost != null && cost.isNumber() ? cost.asDouble() : Double.NaN,
              m.path("in_tokens").asInt(0),
              m.path("out_tokens").asInt(0),
              m.path("latency_ms").isNumber() ? m.get("latency_ms").asDouble() : Double.NaN,
              conf != null && conf.isNumber() && Double.isFinite(conf.asDouble()) ? conf.asDouble() : Double.NaN,
              m.path("answer").asText("")));
        }
        if (models == null) {
          models = List.copyOf(outcomes.keySet());
        } else if (!outcomes.keySet().containsAll(models)) {
          throw new DataFormatException(where + ": models " + outcomes.keySet() + " differ from the first line's "
              + models);
        }
        queries.add(new RecordedQuery(
            required(row, "id", where).asText(),
            row.path("task").asText("default"),
            row.path("source_split").asText(row.path("split").asText("test")),
            required(row, "prompt", where).asText(),
            outcomes));
      }
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (models == null) {
      throw new DataFormatException(file + ": no queries in file");
    }
    if (anyCost && anyMissingCost) {
      throw new DataFormatException(file + ": cost is recorded for some (query, model) pairs but not others");
    }
    String name = file.getParent() == null ? file.toString() : file.getParent().getFileName().toString();
    RecordedDataset raw = new RecordedDataset(name, models, queries, anyCost);
    return anyCost ? raw : raw.withStrongCallCost();
  }

  private static JsonNode required(JsonNode row, String field, String where) {
    JsonNode v = row.get(field);
    if (v == null || v.isNull()) {
      throw new DataFormatException(where + ": missing field '" + field + "'");
    }
    return v;
  }

  private RecordedDataset withStrongCallCost() {
    String strongest = models.stream().max(Comparator.comparingDouble(this::meanScore)).orElseThrow();
    List<RecordedQuery> costed = queries.stream().map(q -> {
      Map<String, RecordedOutcome> o = new LinkedHashMap<>();
      q.outcomes().forEach((m, r) -> o.put(m, new RecordedOutcome(r.score(), m.equals(strongest) ? 1.0 : 0.0,
          r.inTokens(), r.outTokens(), r.latencyMs(), r.confidence(), r.answer())));
      return new RecordedQuery(q.id(), q.task(), q.split(), q.prompt(), o);
    }).toList();
    return new RecordedDataset(name, models, costed, false);
  }

  public String name() {
    return name;
  }

  /** Model ids in the file's order. */
  public List<String> models() {
    return models;
  }

  public List<RecordedQuery> queries() {
    return queries;
  }

  public int size() {
    return queries.size();
  }

  /** False when the file had no costs and cost stands for the strong-call share. */
  public boolean costRecorded() {
    return costRecorded;
  }

  /** The queries of one split ({@code train} or {@code test}). */
  public RecordedDataset split(String split) {
    List<RecordedQuery> part = queries.stream().filter(q -> q.split().equals(split)).toList();
    if (part.isEmpty()) {
      throw new DataFormatException(name + ": no queries with source_split = '" + split + "'");
    }
    return new RecordedDataset(name + ":" + split, models, part, costRecorded);
  }

  /** The outcomes of {@code chosen} only (a policy fitted to route between those), as recorded. */
  public RecordedDataset restrictedTo(List<String> chosen) {
    for (String m : chosen) {
      if (!models.contains(m)) {
        throw new DataFormatException(name + " has no model '" + m + "'; it holds: " + String.join(", ", models));
      }
    }
    List<RecordedQuery> kept = queries.stream().map(q -> {
      Map<String, RecordedOutcome> o = new LinkedHashMap<>();
      chosen.forEach(m -> o.put(m, q.outcome(m)));
      return new RecordedQuery(q.id(), q.task(), q.split(), q.prompt(), o);
    }).toList();
    return new RecordedDataset(name, chosen, kept, costRecorded);
  }

  /** Whether some query is of {@code split}. */
  public boolean hasSplit(String split) {
    return queries.stream().anyMatch(q -> q.split().equals(split));
  }

  /**
   * The same queries split anew into {@code train} and {@code test}, stratified by task: within each task, in a
   * seeded random order, the first {@code testShare} of the queries (rounded, at least one when the task has two
   * or more) become {@code test}, the others {@code train}. For files without a train split (a file holding only a
   * test split, say); the file's own split labels are replaced.
   */
  public RecordedDataset withStratifiedSplit(long seed, double testShare) {
    if (!(testShare > 0 && testShare < 1)) {
      throw new IllegalArgumentException("the test share must be between 0 and 1, got " + testShare);
    }
    List<RecordedQuery> out = new ArrayList<>();
    for (String task : tasks()) {
      List<RecordedQuery> ofTask = new ArrayList<>(queries.stream().filter(q -> q.task().equals(task))
          .sorted(Comparator.comparing(RecordedQuery::id)).toList());
      Collections.shuffle(ofTask, new java.util.Random(seed * 31 + task.hashCode()));
      int test = ofTask.size() < 2 ? 0 : Math.max(1, (int) Math.round(testShare * ofTask.size()));
      for (int i = 0; i < ofTask.size(); i++) {
        RecordedQuery q = ofTask.get(i);
        out.add(new RecordedQuery(q.id(), q.task(), i < test ? "test" : "train", q.prompt(), q.outcomes()));
      }
    }
    return new RecordedDataset(name, models, out, costRecorded);
  }

  public RecordedDataset subset(List<RecordedQuery> part, String suffix) {
    return new RecordedDataset(name + ":" + suffix, models, part, costRecorded);
  }

  /**
   * The data as a fleet sees it whose model {@code k} was recorded as {@code recordedAs.get(k)}: only those
   * models, under the fleet's ids, each call's cost recomputed from its recorded tokens by {@code price} (the
   * fleet's price, not the recording's), so that a policy fitted on it routes between the fleet's models at the
   * fleet's prices.
   *
   * @param price the cost in USD of a call with (input tokens, output tokens), per fleet model id
   */
  public RecordedDataset renamed(Map<String, String> recordedAs, Map<String, CallPrice> price) {
    for (Map.Entry<String, String> e : recordedAs.entrySet()) {
      if (!models.contains(e.getValue())) {
        throw new DataFormatException(name + ": model " + e.getKey() + " is recorded as '" + e.getValue()
            + "', which this file does not hold; it holds: " + String.join(", ", models));
      }
    }
    List<RecordedQuery> renamed = queries.stream().map(q -> {
      Map<String, RecordedOutcome> o = new LinkedHashMap<>();
      recordedAs.forEach((fleetId, recordedId) -> {
        RecordedOutcome r = q.outcome(recordedId);
        o.put(fleetId, new RecordedOutcome(r.score(), price.get(fleetId).usd(r.inTokens(), r.outTokens()),
            r.inTokens(), r.outTokens(), r.latencyMs(), r.confidence(), r.answer()));
      });
      return new RecordedQuery(q.id(), q.task(), q.split(), q.prompt(), o);
    }).toList();
    return new RecordedDataset(name, List.copyOf(recordedAs.keySet()), renamed, true);
  }

  /** The price of one call from its token counts. */
  @FunctionalInterface
  public interface CallPrice {
    double usd(int inputTokens, int outputTokens);
  }

  public List<String> tasks() {
    return queries.stream().map(RecordedQuery::task).distinct().sorted().toList();
  }

  public double meanScore(String model) {
    return queries.stream().mapToDouble(q -> q.outcome(model).score()).average().orElse(Double.NaN);
  }

  public double meanCost(String model) {
    return queries.stream().mapToDouble(q -> q.outcome(model).costUsd()).average().orElse(Double.NaN);
  }

  /** Highest mean score; ties broken by lower mean cost. */
  public String bestSingleModel() {
    return models.stream().max(Comparator.comparingDouble(this::meanScore)
        .thenComparing(Comparator.comparingDouble(this::meanCost).reversed())).orElseThrow();
  }

  /** A copy in a seeded random order (for online streams). */
  public List<RecordedQuery> shuffled(long seed) {
    List<RecordedQuery> copy = new ArrayList<>(queries);
    Collections.shuffle(copy, new java.util.Random(seed));
    return copy;
  }
}
