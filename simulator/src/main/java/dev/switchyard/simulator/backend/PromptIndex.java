package dev.switchyard.simulator.backend;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.features.HashedNgramFeaturizer;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the recorded query a request stands for: first by exact match of the normalised prompt (Unicode NFC,
 * whitespace runs collapsed, trimmed; case kept, because "A" and "a" are different answers to some prompts),
 * else the nearest recorded prompt by TF-IDF cosine similarity over hashed word uni- and bigrams
 * ({@link HashedNgramFeaturizer} fitted on every recorded prompt). Where a prompt was recorded twice the first
 * record wins. Built once per dataset and shared by every replica of every model; thread-safe.
 *
 * <p>The nearest search uses an inverted index over hashed buckets, so a lookup touches only the recorded
 * prompts sharing a term with the request; results of nearest searches are cached (bounded, LRU).
 */
public final class PromptIndex {
  /** Where a request's answer comes from; {@code similarity} is 1 for an exact match. */
  public record Match(RecordedQuery query, boolean exact, double similarity) {}

  private final List<RecordedQuery> queries;
  private final List<String> models;
  private final Map<String, RecordedQuery> exact = new HashMap<>();
  private final HashedNgramFeaturizer featurizer;
  private final Map<Integer, int[]> postingsQueries = new HashMap<>();
  private final Map<Integer, double[]> postingsWeights = new HashMap<>();
  private final Map<String, Match> nearestCache;

  public PromptIndex(RecordedDataset data, int featureDimension, int cacheSize) {
    Objects.requireNonNull(data, "data");
    if (data.size() == 0) {
      throw new IllegalArgumentException("cannot index an empty dataset");
    }
    if (cacheSize < 0) {
      throw new IllegalArgumentException("cache size must be >= 0, got " + cacheSize);
    }
    this.queries = data.queries();
    this.models = data.models();
    this.featurizer = new HashedNgramFeaturizer(featureDimension)
        .fit(queries.stream().map(RecordedQuery::prompt).toList());
    Map<Integer, List<double[]>> postings = new HashMap<>();
    for (int i = 0; i < queries.size(); i++) {
      RecordedQuery q = queries.get(i);
      exact.putIfAbsent(normalise(q.prompt()), q);
      double[] v = featurizer.features(q.prompt());
      for (int b = 0; b < v.length; b++) {
        if (v[b] != 0) {
          postings.computeIfAbsent(b, k -> new ArrayList<>()).add(new double[] {i, v[b]});
        }
      }
    }
    postings.forEach((bucket, list) -> {
      int[] ids = new int[list.size()];
      double[] w = new double[list.size()];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = (int) list.get(j)[0];
        w[j] = list.get(j)[1];
      }
      postingsQueries.put(bucket, ids);
      postingsWeights.put(bucket, w);
    });
    this.nearestCache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Match> eldest) {
        return size() > cacheSize;
      }
    });
  }

  public static String normalise(String prompt) {
    return Normalizer.normalize(prompt, Normalizer.Form.NFC).replaceAll("\\s+", " ").strip();
  }

  /** The recorded query for this text: exact if recorded, else the most similar recorded prompt. */
  public Match lookup(String text) {
    Objects.requireNonNull(text, "text");
    String key = normalise(text);
    RecordedQuery hit = exact.get(key);
    if (hit != null) {
      return new Match(hit, true, 1.0);
    }
    Match cached = nearestCache.get(key);
    if (cached != null) {
      return cached;
    }
    Match found = nearest(key);
    nearestCache.put(key, found);
    return found;
  }

  private Match nearest(String text) {
    double[] v = featurizer.features(text);
    double[] scores = new double[queries.size()];
    for (int b = 0; b < v.length; b++) {
      if (v[b] == 0) {
        continue;
      }
      int[] ids = postingsQueries.get(b);
      if (ids == null) {
        continue;
      }
      double[] w = postingsWeights.get(b);
      for (int j = 0; j < ids.length; j++) {
        scores[ids[j]] += v[b] * w[j];
      }
    }
    // Ties (including a request sharing no term with any prompt) go to the earliest record: deterministic.
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return new Match(queries.get(best), false, scores[best]);
  }

  /** The model ids the recording has outcomes for. */
  public List<String> models() {
    return models;
  }

  public int size() {
    return queries.size();
  }
}
