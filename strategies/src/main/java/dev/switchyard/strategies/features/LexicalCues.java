package dev.switchyard.strategies.features;

import java.util.Locale;
import java.util.regex.Matcher;
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

  /** Every match starts at one of these words' first letters: "wh" or "how". */
  private static final Pattern WH_WORD = Pattern.compile("\\b(what|who|which|when|where|why|how)\\b");

  @Override
  public double[] features(String text) {
    return features(text, text.toLowerCase(Locale.ROOT));
  }

  /**
   * The cues of {@code text} whose {@code text.toLowerCase(Locale.ROOT)} the caller already has (the n-gram
   * block of the same query needs it too). One pass over the chars and one over the tokens, no streams and no
   * regex scan of the whole text: this runs for every query a router sees.
   */
  public double[] features(String text, String lower) {
    long digits = 0;
    long maths = 0;
    long sentences = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isDigit(c)) {
        digits++;
      }
      switch (c) {
        case '+', '-', '*', '/', '=', '^', '%', '<', '>' -> maths++;
        case '.', '?', '!' -> sentences++;
        default -> { }
      }
    }
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
    int n = Math.max(1, text.length());
    return new double[] {
      1.0,
      Math.log1p(words) / 7.0,
      Math.min(1.0, 10.0 * digits / n),
      Math.min(1.0, 20.0 * maths / n),
      choices ? 1.0 : 0.0,
      hasQuestionWord(lower) ? 1.0 : 0.0,
      words == 0 ? 0 : longWords / (double) words,
      Math.min(1.0, sentences / 10.0)
    };
  }

  /**
   * {@code WH_WORD.matcher(lower).find()}, tried only where a match can start: a search from every position of
   * the text was a fifth of a routing decision. The region starts at the candidate and its bounds are
   * transparent, so {@code \\b} sees the char before it exactly as the whole-text search did.
   */
  private static boolean hasQuestionWord(String lower) {
    Matcher matcher = null;
    for (int at = nextCandidate(lower, 0); at >= 0; at = nextCandidate(lower, at + 1)) {
      if (matcher == null) {
        matcher = WH_WORD.matcher(lower).useTransparentBounds(true).useAnchoringBounds(false);
      }
      if (matcher.region(at, lower.length()).lookingAt()) {
        return true;
      }
    }
    return false;
  }

  /** The first index from {@code from} where "wh" or "how" starts, or -1. */
  private static int nextCandidate(String lower, int from) {
    int wh = lower.indexOf("wh", from);
    int how = lower.indexOf("how", from);
    return wh < 0 ? how : how < 0 ? wh : Math.min(wh, how);
  }
}
