package dev.switchyard.strategies.features;

/**
 * A cursor over the word tokens of a text as the featurizers count them: the maximal runs of letters and numbers
 * (Unicode {@code \p{L}} and {@code \p{N}}, by code point) of the text lower-cased in {@link java.util.Locale#ROOT}.
 * It scans in place and gives each token as its bounds and its {@link String#hashCode()}, because building a
 * regex replacement, a split array and a substring per token was most of a routing decision's time and
 * allocation.
 */
final class Tokens {
  private final String lower;
  private int position;
  private int start;
  private int hash;

  /** @param lower the text, already lower-cased */
  Tokens(String lower) {
    this.lower = lower;
  }

  /** Moves to the next token; false at the end of the text. */
  boolean next() {
    int n = lower.length();
    while (position < n) {
      int cp = lower.codePointAt(position);
      if (isTokenChar(cp)) {
        start = position;
        hash = 0;
        do {
          int end = position + Character.charCount(cp);
          for (; position < end; position++) {
            hash = 31 * hash + lower.charAt(position);
          }
        } while (position < n && isTokenChar(cp = lower.codePointAt(position)));
        return true;
      }
      position += Character.charCount(cp);
    }
    return false;
  }

  /** The current token's length in chars, as {@link String#length()} of it. */
  int length() {
    return position - start;
  }

  /** The current token's {@link String#hashCode()}. */
  int hash() {
    return hash;
  }

  /** {@code \p{L}} or {@code \p{N}}: the code points the former {@code [^\p{L}\p{N}]+} replacement kept. */
  private static boolean isTokenChar(int cp) {
    if (cp < 128) {
      return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    }
    if (Character.isLetter(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }
}
