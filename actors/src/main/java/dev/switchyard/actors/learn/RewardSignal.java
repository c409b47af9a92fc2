package dev.switchyard.actors.learn;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a learned pipeline takes as the reward of a query no feedback came for within
 * {@code switchyard.learner.feedback-window.signal-after} ({@code switchyard.pipelines.<name>.reward}).
 *
 * @param model the fleet model asked for the signal ({@code reward-model}: the judge, or the model whose answer an
 *     answer must agree with); null for {@code feedback} and {@code confidence}
 * @param judgePrompt the pipeline's judge prompt template ({@code judge-prompt}), null for the default
 *     {@code switchyard.learner.reward-signal.judge-prompt}
 */
public record RewardSignal(Kind kind, String model, String judgePrompt) {
  public enum Kind {
    /** Only rewards sent to {@code /v1/feedback}. */
    FEEDBACK,
    /** The answer's confidence: exp of the mean token log-probability. */
    CONFIDENCE,
    /** Whether the answer agrees with other models' answers to the same query. */
    AGREEMENT,
    /** A judge model's grade of the answer. */
    JUDGE;

    /** The name a configuration gives it. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Every configuration name, for messages: "feedback, confidence, agreement, judge". */
    public static String names() {
      return Arrays.stream(values()).map(Kind::configName).collect(Collectors.joining(", "));
    }

    /** The kind a configuration names, or null. */
    public static Kind named(String name) {
      return Arrays.stream(values()).filter(k -> k.configName().equals(name)).findFirst().orElse(null);
    }

    /** True when the signal is a call to {@code reward-model}. */
    public boolean needsModel() {
      return this == AGREEMENT || this == JUDGE;
    }
  }

  public static final RewardSignal FEEDBACK_ONLY = new RewardSignal(Kind.FEEDBACK, null, null);

  public RewardSignal {
    Objects.requireNonNull(kind, "kind");
    if (kind.needsModel() != (model != null)) {
      throw new IllegalArgumentException("reward = " + kind.configName() + (kind.needsModel()
          ? " needs a reward-model" : " takes no reward-model"));
    }
    if (judgePrompt != null && kind != Kind.JUDGE) {
      throw new IllegalArgumentException("a judge-prompt is for reward = judge only");
    }
  }

  public static RewardSignal confidence() {
    return new RewardSignal(Kind.CONFIDENCE, null, null);
  }

  public static RewardSignal agreement(String model) {
    return new RewardSignal(Kind.AGREEMENT, model, null);
  }

  public static RewardSignal judge(String model, String judgePrompt) {
    return new RewardSignal(Kind.JUDGE, model, judgePrompt);
  }

  /** True when queries without feedback are learned from a signal. */
  public boolean fromSignal() {
    return kind != Kind.FEEDBACK;
  }
}
