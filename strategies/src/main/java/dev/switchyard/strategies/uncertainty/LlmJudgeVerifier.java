package dev.switchyard.strategies.uncertainty;

import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.pipeline.Verifier;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanState;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Stage 2 by an LLM judge (Zheng et al., "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena", arXiv
 * 2306.05685): the judge's verdict on a candidate is the attempt to the judge model that immediately follows
 * the candidate's own attempt in the plan. The verdict is turned into a probability with a per-candidate-model
 * table learned on the training split, {@code P(correct | approved, m)} and {@code P(correct | rejected, m)}
 * (Laplace-smoothed), because judges are neither perfectly sensitive nor specific. A candidate without a
 * verdict yet (or whose judge call failed) gets its model's prior accuracy.
 */
public final class LlmJudgeVerifier implements Verifier {
  /** Per-model calibration of the verdict: {@code P(correct | approved)}, {@code P(correct | rejected)}, prior. */
  public record VerdictCalibration(double ifApproved, double ifRejected, double prior) {}

  private final String judgeModel;
  private final Judge judge;
  private final Map<String, VerdictCalibration> calibration;

  public LlmJudgeVerifier(String judgeModel, Judge judge, Map<String, VerdictCalibration> calibration) {
    this.judgeModel = Objects.requireNonNull(judgeModel, "judgeModel");
    this.judge = Objects.requireNonNull(judge, "judge");
    this.calibration = Map.copyOf(calibration);
  }

  /** The verdict calibration of a candidate model, if it was seen in training. */
  public Optional<VerdictCalibration> calibration(String model) {
    return Optional.ofNullable(calibration.get(model));
  }

  public String judgeModel() {
    return judgeModel;
  }

  public Judge judge() {
    return judge;
  }

  /** True for an attempt that is a call to the judge rather than a candidate answer. */
  public boolean isJudgeCall(Attempt a) {
    return a.modelId().equals(judgeModel) && a.subQuery() != null;
  }

  /** The judge's verdict on a candidate response of this plan, if the judge has answered. */
  public Optional<Boolean> verdict(PlanState state, Response candidate) {
    List<Attempt> attempts = state.attempts();
    for (int i = 0; i + 1 < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      if (a.succeeded() && a.response().equals(candidate) && a.subQuery() == null) {
        Attempt next = attempts.get(i + 1);
        if (isJudgeCall(next) && next.succeeded()) {
          return Optional.of(judge.approves(candidate, next.response()));
        }
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  @Override
  public double confidence(PlanState state, Response response) {
    VerdictCalibration c = calibration.get(response.modelId());
    if (c == null) {
      return 0.5;
    }
    return verdict(state, response).map(ok -> ok ? c.ifApproved() : c.ifRejected()).orElse(c.prior());
  }
}
