package dev.switchyard.strategies.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The in-place {@link Tokens} scan replaced a regex replacement, a split and a substring per n-gram; every routing
 * result depends on these vectors, so they must be bit for bit those of the former code, kept here as the
 * reference ({@link Former}), on edge-case texts, random Unicode and every recorded prompt.
 */
class InPlaceTokensMatchFormerEncodingTest {
  private static final Path DATA = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"),
      "zellinger-cascade9", "queries.jsonl");

  private static final List<String> EDGE_CASES = List.of(
      "", " ", "?!", "a", "What is 2+2?", "what IS 2 + 2", "  leading and trailing  ",
      "Question: x?\nA: 1\nB: 2", "Compute 12*7+3=?", "choices (a) or (b)", "HOW? Who! whom, whose; somewhere",
      "İstanbul'da ıııİİİ", "ΟΔΟΣ Σίσυφος ΣΑΣ", "straße STRASSE ǅemal", "naïve cafe\u0301 re\u0301sume\u0301",
      "x² + y³ = z½, Ⅻ and ⅷ, ١٢٣ ٤٥", "日本語のテキスト 和 中文 한국어", "emoji 😀😀 mixed😀word 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
      "unpaired \uD800 high and \uDC00 low surrogates", "tabs\tand\nnewlines\r\nand\u00A0nbsp\u2003em",
      "under_score snake_case kebab-case CamelCase", "a very long word: pneumonoultramicroscopicsilicovolcanoconiosis",
      "the ".repeat(3000) + "end",
      // question words: the search now starts only where "wh" or "how" does
      "somewhat", "whatever", "_what", "what_", "how's it", "showhow", "who", "WHY?", "x-when-y", "whwhat",
      "what\u0301", "\u0301what", "e\u0301what", "1how", "how1", "hows how", "nowhere what", "wh", "ho");

  @Test
  void edgeCasesAndRandomUnicodeGiveTheFormerVectors() {
    List<String> texts = new ArrayList<>(EDGE_CASES);
    Random random = new Random(11);
    for (int t = 0; t < 500; t++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(80);
      for (int i = 0; i < length; i++) {
        int cp = random.nextInt(4) == 0 ? random.nextInt(0x20000) : random.nextInt(0x250);
        if (Character.isValidCodePoint(cp)) {
          b.appendCodePoint(cp);
        }
      }
      texts.add(b.toString());
    }
    assertSameAsFormer(texts);
  }

  @Test
  void everyRecordedPromptGivesTheFormerVectors() {
    Assumptions.assumeTrue(Files.isRegularFile(DATA), "recorded data not found at " + DATA + "; skipping");
    assertSameAsFormer(RecordedDataset.load(DATA).queries().stream().map(RecordedQuery::prompt).toList());
  }

  private static void assertSameAsFormer(List<String> texts) {
    for (int dimension : new int[] {2, 128, 4096}) {
      HashedNgramFeaturizer current = new HashedNgramFeaturizer(dimension).fit(texts);
      Former former = new Former(dimension).fit(texts);
      for (String text : texts) {
        assertArrayEquals(former.features(text), current.features(text), () -> "tf-idf of <" + text + ">");
      }
    }
    LexicalCues cues = new LexicalCues();
    for (String text : texts) {
      assertArrayEquals(Former.cues(text), cues.features(text), () -> "lexical cues of <" + text + ">");
    }
  }

  /** The featurizers as they were before the in-place scan: the reference, not to be used elsewhere. */
  private static final class Former {
    private final int dimension;
    private final double[] idf;

    Former(int dimension) {
      this.dimension = dimension;
      this.idf = new double[dimension];
      java.util.Arrays.fill(idf, 1.0);
    }

    Former fit(List<String> documents) {
      int[] df = new int[dimension];
      for (String d : documents) {
        counts(d).keySet().forEach(b -> df[b]++);
      }
      for (int i = 0; i < dimension; i++) {
        idf[i] = Math.log((1.0 + documents.size()) / (1.0 + df[i])) + 1.0;
      }
      return this;
    }

    double[] features(String text) {
      double[] v = new double[dimension];
      counts(text).forEach((bucket, count) -> v[bucket] = (1 + Math.log(count)) * idf[bucket]);
      double norm = 0;
      for (double x : v) {
        norm += x * x;
      }
      if (norm > 0) {
        norm = Math.sqrt(norm);
        for (int i = 0; i < dimension; i++) {
          v[i] /= norm;
        }
      }
      return v;
    }

    private Map<Integer, Integer> counts(String text) {
      String[] tokens = tokenize(text);
      Map<Integer, Integer> counts = new HashMap<>();
      for (int i = 0; i < tokens.length; i++) {
        counts.merge(Math.floorMod(tokens[i].hashCode(), dimension), 1, Integer::sum);
        if (i > 0) {
          counts.merge(Math.floorMod((tokens[i - 1] + ' ' + tokens[i]).hashCode(), dimension), 1, Integer::sum);
        }
      }
      return counts;
    }

    static String[] tokenize(String text) {
      String t = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
      return t.isEmpty() ? new String[0] : t.split(" ");
    }

    static double[] cues(String text) {
      String[] words = tokenize(text);
      long digits = text.chars().filter(Character::isDigit).count();
      long maths = text.chars().filter(c -> "+-*/=^%<>".indexOf(c) >= 0).count();
      long longWords = java.util.Arrays.stream(words).filter(w -> w.length() >= 9).count();
      String lower = text.toLowerCase(java.util.Locale.ROOT);
      boolean choices = lower.contains("\na:") || lower.contains("\na.") || lower.contains("(a)")
          || lower.contains("choices");
      boolean wh = lower.matches("(?s).*\\b(what|who|which|when|where|why|how)\\b.*");
      long sentences = text.chars().filter(c -> c == '.' || c == '?' || c == '!').count();
      int n = Math.max(1, text.length());
      return new double[] {
        1.0,
        Math.log1p(words.length) / 7.0,
        Math.min(1.0, 10.0 * digits / n),
        Math.min(1.0, 20.0 * maths / n),
        choices ? 1.0 : 0.0,
        wh ? 1.0 : 0.0,
        words.length == 0 ? 0 : longWords / (double) words.length,
        Math.min(1.0, sentences / 10.0)
      };
    }
  }
}
