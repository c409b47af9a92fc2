package dev.switchyard.strategies.cascade;

import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.support.AnswerSignal;
import dev.switchyard.strategies.cascade.support.CalibratedConfidence;
import dev.switchyard.strategies.cascade.support.Cascades;
import dev.switchyard.strategies.cascade.support.ModelStats;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.plan.Planner;
import java.util.List;

/**
 * Threshold cascade on calibrated confidence (the baseline of Zellinger &amp; Thomson, "Rational Tuning of LLM
 * Cascades via Probabilistic Modeling", arXiv 2501.09345; the stopping rule of FrugalGPT, arXiv 2305.05176).
 *
 * <p>The chain is the cost-efficient frontier of the training split: models sorted by mean cost, keeping each
 * one only if its mean quality beats every cheaper model kept. Each model's raw confidence {@code x} is
 * calibrated on the training split, {@code p = sigmoid(a x + b)} (raw signals of -Infinity are clamped to
 * {@link AnswerSignal#CONFIDENCE_FLOOR}). At threshold {@code tau}, model {@code k}'s answer is accepted if
 * {@code p_k >= tau}, else the query goes to model {@code k+1}; the last model's answer is always accepted.
 * {@code tau} is the trade-off: 0 = always the cheapest, 1 = always the whole chain.
 */
public final class ConfidenceCascade implements Strategy {
  private List<String> chain = List.of();
  private CalibratedConfidence calibrated;

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("confidence-cascade",
        "Zellinger & Thomson, Rational Tuning of LLM Cascades, arXiv 2501.09345; Chen et al., FrugalGPT, arXiv 2305.05176",
        Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.RESPONSE, Signal.MODEL_METADATA),
        "one shared threshold over per-model Platt-calibrated recorded confidence");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    chain = efficientChain(train);
    calibrated = CalibratedConfidence.fit(train);
  }

  /** Models sorted by mean cost, each kept only if it is better than every cheaper kept model. */
  public static List<String> efficientChain(RecordedDataset train) {
    return ModelStats.of(train).efficientChain();
  }

  public List<String> chain() {
    return chain;
  }

  /** Calibrated probability that this response is correct; the model's prior quality if it has no signal. */
  public double calibratedConfidence(Response response) {
    if (calibrated == null) {
      throw new IllegalStateException("confidence-cascade: fit() must run before use");
    }
    return calibrated.probability(AnswerSignal.of(response));
  }

  @Override
  public double[] tradeoffs() {
    return Cascades.unitGrid(20);
  }

  @Override
  public Planner planner(double threshold) {
    if (chain.isEmpty()) {
      throw new IllegalStateException("confidence-cascade: fit() must run before planner()");
    }
    return Cascades.thresholdCascade("cascade", chain, (state, response) -> calibratedConfidence(response),
        threshold);
  }
}
