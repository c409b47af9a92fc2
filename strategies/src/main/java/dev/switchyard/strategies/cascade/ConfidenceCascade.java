package dev.switchyard.strategies.cascade;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.calibration.PlattCalibrator;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Threshold cascade on calibrated confidence (the baseline of Zellinger &amp; Thomson, "Rational Tuning of LLM
 * Cascades via Probabilistic Modeling", arXiv 2501.09345; the stopping rule of FrugalGPT, arXiv 2305.05176).
 *
 * <p>The chain is the cost-efficient frontier of the training split: models sorted by mean cost, keeping each
 * one only if its mean quality beats every cheaper model kept. Each model's raw confidence {@code x} is
 * calibrated on the training split, {@code p = sigmoid(a x + b)}. At threshold {@code tau}, model {@code k}'s
 * answer is accepted if {@code p_k >= tau}, else the query goes to model {@code k+1}; the last model's answer
 * is always accepted. {@code tau} is the trade-off: 0 = always the cheapest, 1 = always the whole chain.
 */
public final class ConfidenceCascade implements Strategy {
  private List<String> chain = List.of();
  private final Map<String, PlattCalibrator> calibrators = new HashMap<>();
  private final Map<String, Double> priorQuality = new HashMap<>();

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("confidence-cascade",
        "Zellinger & Thomson, Rational Tuning of LLM Cascades, arXiv 2501.09345; Chen et al., FrugalGPT, arXiv 2305.05176",
        Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.RESPONSE, Signal.MODEL_METADATA),
        "one shared threshold over per-model Platt-calibrated recorded confidence");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    List<ModelCard> cards = ModelCatalog.fromRecorded(train);
    chain = efficientChain(train);
    for (ModelCard card : cards) {
      String m = card.id();
      priorQuality.put(m, train.meanScore(m));
      List<RecordedQuery> withConf = train.queries().stream().filter(q -> q.outcome(m).hasConfidence()).toList();
      double[] x = new double[withConf.size()];
      double[] y = new double[withConf.size()];
      for (int i = 0; i < x.length; i++) {
        RecordedOutcome o = withConf.get(i).outcome(m);
        x[i] = o.confidence();
        y[i] = o.score();
      }
      calibrators.put(m, PlattCalibrator.fit(x, y));
    }
  }

  /** Models sorted by mean cost, each kept only if it is better than every cheaper kept model. */
  public static List<String> efficientChain(RecordedDataset train) {
    List<String> byCost = new ArrayList<>(train.models());
    byCost.sort(Comparator.comparingDouble(train::meanCost));
    List<String> kept = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (String m : byCost) {
      double q = train.meanScore(m);
      if (q > best) {
        kept.add(m);
        best = q;
      }
    }
    return kept;
  }

  public List<String> chain() {
    return chain;
  }

  /** Calibrated probability that this response is correct; the model's prior quality if it has no signal. */
  public double calibratedConfidence(Response response) {
    PlattCalibrator c = calibrators.get(response.modelId());
    if (c == null || response.confidence() == null) {
      return priorQuality.getOrDefault(response.modelId(), 0.5);
    }
    return c.probability(response.confidence());
  }

  @Override
  public double[] tradeoffs() {
    double[] t = new double[41];
    for (int i = 0; i < t.length; i++) {
      t[i] = i / 40.0;
    }
    return t;
  }

  @Override
  public Planner planner(double threshold) {
    if (chain.isEmpty()) {
      throw new IllegalStateException("confidence-cascade: fit() must run before planner()");
    }
    RouteDecision route = new RouteDecision(chain, Double.NaN, "cascade");
    return new ThreeStagePipeline(
        state -> route,
        (state, response) -> calibratedConfidence(response),
        (state, confidence, r) -> {
          if (confidence >= threshold) {
            return Escalation.accept();
          }
          return r.ranking().stream().filter(m -> !state.tried(m)).findFirst()
              .<Escalation>map(Escalation.EscalateTo::new)
              .orElse(Escalation.accept());
        });
  }
}
