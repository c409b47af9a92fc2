package dev.switchyard.strategies.features;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cheap difficulty cues from the text alone, each scaled to about [0, 1]: length, digit share, maths
 * symbols, multiple-choice markers, question words, long words. A stand-in for the "query complexity"
 * features routers use when no encoder is available.
 */
public final class LexicalCues implements Featurizer {
  public static final String[] NAMES = {
    "bias", "log_length", "digit_share", "math_symbols", "multiple_choice", "wh_question", "long_word_share",
    "sentences"
  };

  @Override
  public int dimension() {
    return NAMES.length;
  }

  /** Searched only when the text contains "wh" or "how", which every one of its words does. */
  private static final Pattern WH_WORD = Pattern.compile("\\b(what|who|which|when|where|why|how)\\b");
  private static final String MATHS_SYMBOLS = "+-*/=^%<>";

  /** One pass over the chars and one over the tokens, with no streams or regex replacement: it runs per query. */
  @Override
  public double[] features(String text) {
    long digits = 0;
    long maths = 0;
    long sentences = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isDigit(c)) {
        digits++;
      }
      if (MATHS_SYMBOLS.indexOf(c) >= 0) {
        maths++;
      }
      if (c == '.' || c == '?' || c == '!') {
        sentences++;
      }
    }
    String lower = text.toLowerCase(Locale.ROOT);
    int words = 0;
    long longWords = 0;
    Tokens tokens = new Tokens(lower);
    while (tokens.next()) {
      words++;
      if (tokens.length() >= 9) {
        longWords++;
      }
    }
    boolean choices = lower.contains("\na:") || lower.contains("\na.") || lower.contains("(a)")
        || lower.contains("choices");
    boolean wh = (lower.contains("wh") || lower.contains("how")) && WH_WORD.matcher(lower).find();
    int n = Math.max(1, text.length());
    return new double[] {
      1.0,
      Math.log1p(words) / 7.0,
      Math.min(1.0, 10.0 * digits / n),
      Math.min(1.0, 20.0 * maths / n),
      choices ? 1.0 : 0.0,
      wh ? 1.0 : 0.0,
      words == 0 ? 0 : longWords / (double) words,
      Math.min(1.0, sentences / 10.0)
    };
  }
}
