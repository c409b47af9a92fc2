package dev.switchyard.actors.fleet;

import com.typesafe.config.Config;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** Unknown keys, reported with the nearest known one: a misspelt key is an error, never a silent default. */
public final class KnownKeys {
  private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

  private KnownKeys() {}

  /** A problem for each top-level key of {@code entry} that is not in {@code known}. */
  public static void check(String path, Config entry, Collection<String> known, List<ConfigProblem> out) {
    for (String key : entry.root().keySet()) {
      if (!known.contains(key)) {
        out.add(new ConfigProblem(path + "." + key, unknown(key, known)));
      }
    }
  }

  static String unknown(String key, Collection<String> known) {
    return "unknown key" + nearest(key, known).map(n -> " (did you mean '" + n + "'?)").orElse("")
        + "; known here: " + String.join(", ", known.stream().sorted().toList());
  }

  /** The known name closest to {@code name}, if close enough to be a likely typo. */
  public static Optional<String> nearest(String name, Collection<String> known) {
    return known.stream()
        .min(Comparator.comparingInt((String k) -> DISTANCE.apply(name, k)).thenComparing(k -> k))
        .filter(k -> DISTANCE.apply(name, k) <= Math.max(2, name.length() / 3));
  }
}
