package dev.switchyard.strategies.features;

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

  @Override
  public double[] features(String text) {
    String[] words = HashedNgramFeaturizer.tokenize(text);
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
