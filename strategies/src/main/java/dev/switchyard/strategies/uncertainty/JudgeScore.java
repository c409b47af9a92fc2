package dev.switchyard.strategies.uncertainty;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A judge model's grade of an answer on a numeric scale, read as a reward in [0, 1] (single-answer grading of
 * Zheng et al., "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena", arXiv 2306.05685): the judge is
 * shown the question and the answer through a prompt template and replies with a score {@code s} in
 * {@code [min, max]}; the reward is {@code (s - min) / (max - min)}.
 *
 * <p>The reply is read strictly, so that a judge that did not grade is not mistaken for one that did: it must
 * be one number, optionally preceded by {@code score}, {@code rating} or {@code grade} (with {@code :} or
 * {@code =}) and followed by {@code /max} and a full stop ({@code "7"}, {@code "Score: 7/10"}, {@code "7."}).
 * Anything else (prose, two numbers, a number outside the scale, {@code /n} with another n) is unparsable.
 */
public final class JudgeScore {
  /** Where the template takes the question. */
  public static final String QUERY = "{query}";
  /** Where the template takes the answer; a template must have it. */
  public static final String ANSWER = "{answer}";

  private static final Pattern REPLY = Pattern.compile(
      "(?i)^\\s*(?:(?:score|rating|grade)\\s*[:=]?\\s*)?([0-9]+(?:\\.[0-9]+)?)\\s*(?:/\\s*([0-9]+(?:\\.[0-9]+)?))?"
          + "\\s*\\.?\\s*$");

  private final double min;
  private final double max;

  public JudgeScore(double min, double max) {
    if (!(min >= 0) || !(max > min) || !Double.isFinite(max)) {
      throw new IllegalArgumentException("a judge's scale must be 0 <= min < max, got [" + min + ", " + max + "]");
    }
    this.min = min;
    this.max = max;
  }

  /** The judge's prompt: {@code template} with the question and the answer put in. */
  public static String prompt(String template, String query, String answer) {
    if (!template.contains(ANSWER)) {
      throw new IllegalArgumentException("a judge prompt template must contain " + ANSWER);
    }
    return template.replace(QUERY, query == null ? "" : query).replace(ANSWER, answer == null ? "" : answer);
  }

  /** The reward the reply grades the answer with, or empty when the reply is not a score on this scale. */
  public OptionalDouble reward(String reply) {
    Matcher m = REPLY.matcher(reply == null ? "" : reply);
    if (!m.matches()) {
      return OptionalDouble.empty();
    }
    double score = Double.parseDouble(m.group(1));
    if (m.group(2) != null && Double.parseDouble(m.group(2)) != max) {
      return OptionalDouble.empty();
    }
    if (score < min || score > max) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((score - min) / (max - min));
  }
}
