package dev.switchyard.strategies.cascade.support;

import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.pipeline.Aggregation;
import java.util.Objects;

/**
 * What a verifier may see of an answer: who gave it, its text, its raw confidence (null when the backend
 * gives none) and its output length. Built from a live {@link Response} or, for training, from a recorded
 * outcome; deliberately has no field for the recorded correctness, so no verifier can read ground truth.
 */
public record AnswerSignal(String modelId, String text, Double confidence, int outputTokens) {
  public AnswerSignal {
    Objects.requireNonNull(modelId, "modelId");
    text = text == null ? "" : text;
    if (confidence != null && confidence.isNaN()) {
      confidence = null;
    } else if (confidence != null && confidence < CONFIDENCE_FLOOR) {
      confidence = CONFIDENCE_FLOOR;
    }
  }

  /**
   * Raw signals below this are clamped to it: recorded log-probabilities include -Infinity (a token judged
   * impossible), which would poison any linear model; the lowest finite value recorded is about -15.5.
   */
  public static final double CONFIDENCE_FLOOR = -20;

  public static AnswerSignal of(Response r) {
    return new AnswerSignal(r.modelId(), r.text(), r.confidence(), r.outputTokens());
  }

  public static AnswerSignal of(String modelId, RecordedOutcome o) {
    return new AnswerSignal(modelId, o.answer(), o.hasConfidence() ? o.confidence() : null, o.outTokens());
  }

  public String normalised() {
    return Aggregation.normalise(text);
  }

  /** Raw confidence per output token: a perplexity-style, length-normalised log-probability; 0 if absent. */
  public double perTokenConfidence() {
    return confidence == null ? 0 : confidence / Math.max(1, outputTokens);
  }

  /** Number of features {@link #answerFeatures} returns. */
  public static final int ANSWER_FEATURES = 4;

  /** Shape of the answer text: log length, empty, a bare option letter, a number. */
  public double[] answerFeatures() {
    String t = normalised();
    boolean letter = t.length() == 1 && Character.isLetter(t.charAt(0));
    boolean number = t.matches("[-+$]?[0-9][0-9,]*(\\.[0-9]+)?");
    return new double[] {
      Math.log1p(t.length()) / 6.0, t.isEmpty() ? 1 : 0, letter ? 1 : 0, number ? 1 : 0
    };
  }
}
