package dev.switchyard.strategies.pipeline;

import dev.switchyard.protocol.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Combining several models' answers: a weighted vote over normalised answer texts. */
public final class Aggregation {
  private Aggregation() {}

  /** Lower-cased, trimmed, trailing punctuation removed: "B." and " b" vote together. */
  public static String normalise(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    while (!t.isEmpty() && ".!,;:".indexOf(t.charAt(t.length() - 1)) >= 0) {
      t = t.substring(0, t.length() - 1).strip();
    }
    return t;
  }

  private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*)\\}");
  private static final Pattern STATED = Pattern.compile("(?i)(?:####|\\banswer\\s*(?:is\\s*:?|:))\\s*([^\\n]+)");
  /** A last line ending in an equation's result: "x = 5", "2 + 2 = 4". */
  private static final Pattern RESULT = Pattern.compile("=\\s*([^=\\n]+?)\\s*$");
  private static final Pattern OPTION = Pattern.compile("^\\(?([a-z])\\)(?:\\s.*)?$|^([a-z])\\s*:(?:\\s.*)?$");
  private static final Pattern NUMBER = Pattern.compile("^[-+]?\\$?[0-9][0-9,]*(\\.[0-9]+)?$");

  /**
   * The final answer a reply states, normalised, so that a model that explains itself agrees with one that
   * answers bare: the content of the last {@code \boxed{...}} (math), else what follows the last
   * {@code answer is}, {@code answer:} or {@code ####}, else the result of an equation ending the text
   * ({@code x = 5}), else the whole text; then {@link #normalise}d, a
   * multiple-choice option reduced to its letter ({@code (B)}, {@code B)}, {@code B: 1} are {@code b}) and a
   * number written plainly ({@code $1,200.50} is {@code 1200.5}, {@code 4.0} is {@code 4}).
   */
  public static String answerKey(String text) {
    String t = text == null ? "" : text;
    String stated = lastGroup(BOXED.matcher(t));
    if (stated == null) {
      stated = lastGroup(STATED.matcher(t));
    }
    if (stated == null) {
      stated = lastGroup(RESULT.matcher(t.strip()));
    }
    String key = normalise(stated == null ? t : stated);
    Matcher option = OPTION.matcher(key);
    if (option.matches()) {
      return option.group(1) != null ? option.group(1) : option.group(2);
    }
    if (NUMBER.matcher(key).matches()) {
      key = key.replace("$", "").replace(",", "").replace("+", "");
      if (key.contains(".")) {
        key = key.replaceAll("0+$", "");
        key = key.endsWith(".") ? key.substring(0, key.length() - 1) : key;
      }
      return key.equals("-0") ? "0" : key;
    }
    return key;
  }

  private static String lastGroup(Matcher m) {
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    return last;
  }

  /**
   * Share of {@code others} whose final answer ({@link #answerKey}) is the same as {@code answer}'s; 0 when
   * there are none.
   */
  public static double answerAgreement(String answer, List<String> others) {
    if (others.isEmpty()) {
      return 0;
    }
    String key = answerKey(answer);
    return others.stream().filter(o -> answerKey(o).equals(key)).count() / (double) others.size();
  }

  /**
   * The response whose normalised answer has the largest total weight; ties go to the answer seen first, and
   * within the winning answer the response with the largest weight stands for it.
   */
  public static Response weightedVote(List<Response> responses, ToDoubleFunction<Response> weight) {
    if (responses.isEmpty()) {
      throw new IllegalArgumentException("nothing to aggregate");
    }
    Map<String, Double> totals = new LinkedHashMap<>();
    Map<String, Response> champion = new LinkedHashMap<>();
    for (Response r : responses) {
      String key = normalise(r.text());
      double w = weight.applyAsDouble(r);
      totals.merge(key, w, Double::sum);
      champion.merge(key, r, (old, cur) -> weight.applyAsDouble(cur) > weight.applyAsDouble(old) ? cur : old);
    }
    String best = null;
    for (var e : totals.entrySet()) {
      if (best == null || e.getValue() > totals.get(best)) {
        best = e.getKey();
      }
    }
    return champion.get(best);
  }

  /** Share of responses whose normalised answer equals the given response's. */
  public static double agreement(Response response, List<Response> responses) {
    if (responses.isEmpty()) {
      return 0;
    }
    String key = normalise(response.text());
    return responses.stream().filter(r -> normalise(r.text()).equals(key)).count() / (double) responses.size();
  }
}
