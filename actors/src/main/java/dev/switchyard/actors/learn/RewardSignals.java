package dev.switchyard.actors.learn;

import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.uncertainty.JudgeScore;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The reward of a query no feedback came for, read from its pipeline's {@link RewardSignal} (no Pekko here: the
 * {@link Learner} makes the calls this asks for and hands their answers back):
 * <ul>
 *   <li>{@code confidence}: {@code exp} of the mean token log-probability of the answer, in (0, 1];
 *   <li>{@code agreement}: the share of the other models' answers the episode holds (a cascade's earlier calls)
 *       whose final answer ({@link Aggregation#answerKey}: a stated or boxed answer, an option letter, a plain
 *       number, else the normalised text) is the answer's; an episode holding no other model's answer calls
 *       {@code reward-model} once with the query's routed text, and the reward is 1 if that answer agrees, else 0;
 *   <li>{@code judge}: {@code reward-model} is sent the judge prompt with the query and the answer put in, and
 *       its reply is read as a score on the configured scale ({@link JudgeScore}).
 * </ul>
 * An abstention (no answer) gets no signal.
 */
final class RewardSignals {
  /** Appended to the query id to make the signal call's attempt id (its idempotency key). */
  static final String ATTEMPT_SUFFIX = "/reward";

  /** What to do with an episode whose signal is due. */
  sealed interface Due {}

  /** Learn it with this reward. */
  record Reward(double reward) implements Due {}

  /** Ask {@code request.modelId()} and hand the answer to {@link #fromAnswer}. */
  record Ask(BackendRequest request) implements Due {}

  /** No signal can be read (no answer, no confidence). */
  record NoSignal() implements Due {}

  private final RewardSignal signal;
  private final EngineSettings.RewardSignalSettings settings;
  private final JudgeScore scale;

  RewardSignals(RewardSignal signal, EngineSettings.RewardSignalSettings settings) {
    this.signal = signal;
    this.settings = settings;
    this.scale = new JudgeScore(settings.judgeMinScore(), settings.judgeMaxScore());
  }

  static String queryId(String attemptId) {
    return attemptId.endsWith(ATTEMPT_SUFFIX)
        ? attemptId.substring(0, attemptId.length() - ATTEMPT_SUFFIX.length()) : attemptId;
  }

  Due due(Episode e) {
    if (e.answerModel() == null || (e.answer() == null && signal.kind() != RewardSignal.Kind.CONFIDENCE)) {
      return new NoSignal();
    }
    switch (signal.kind()) {
      case CONFIDENCE: {
        Double confidence = answerConfidence(e);
        return confidence == null ? new NoSignal() : new Reward(Math.min(1.0, Math.exp(confidence)));
      }
      case AGREEMENT: {
        List<String> others = e.calls().stream().filter(r -> !e.answerModel().equals(r.modelId()))
            .map(Response::text).toList();
        if (!others.isEmpty()) {
          return new Reward(Aggregation.answerAgreement(e.answer(), others));
        }
        return new Ask(request(e, e.queryText(), 0));
      }
      case JUDGE: {
        String template = signal.judgePrompt() != null ? signal.judgePrompt() : settings.judgePrompt();
        return new Ask(request(e, JudgeScore.prompt(template, e.queryText(), e.answer()), settings.judgeMaxTokens()));
      }
      default:
        return new NoSignal();
    }
  }

  /** The reward {@code reply} (the reward model's answer) gives the episode, or empty when it cannot be read. */
  OptionalDouble fromAnswer(Episode e, Response reply) {
    String text = reply.text() == null ? "" : reply.text();
    return signal.kind() == RewardSignal.Kind.JUDGE ? scale.reward(text)
        : OptionalDouble.of(Aggregation.answerAgreement(e.answer(), List.of(text)));
  }

  /**
   * The call for {@code e}'s signal. The routed text goes as the one user message: an episode does not keep the
   * query's messages, and a replayed (recorded) model finds its recorded answer by that text.
   */
  private BackendRequest request(Episode e, String prompt, int maxTokens) {
    return new BackendRequest(e.queryId() + ATTEMPT_SUFFIX, signal.model(), List.of(ChatMessage.user(prompt)),
        signal.kind() == RewardSignal.Kind.JUDGE ? prompt : e.queryText(), maxTokens);
  }

  /** The confidence of the response the episode answered with, null if it has none. */
  static Double answerConfidence(Episode e) {
    Double found = null;
    for (var step : e.steps()) {
      if (step.stage() == Stage.GENERATE && step.response() != null
          && e.answerModel().equals(step.response().modelId()) && step.response().confidence() != null
          && Double.isFinite(step.response().confidence())) {
        found = step.response().confidence();
      }
    }
    return found;
  }
}
