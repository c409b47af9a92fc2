package dev.switchyard.strategies.cascade.support;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.PlattCalibrator;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-model Platt calibration of the raw confidence signal, fitted on the training split:
 * {@code p = sigmoid(a_m x + b_m)}. An answer without a signal (or from a model never seen in training) gets
 * the model's training accuracy (or 0.5). Immutable once fitted.
 */
public final class CalibratedConfidence {
  private final Map<String, PlattCalibrator> calibrators;
  private final Map<String, Double> prior;

  private CalibratedConfidence(Map<String, PlattCalibrator> calibrators, Map<String, Double> prior) {
    this.calibrators = Map.copyOf(calibrators);
    this.prior = Map.copyOf(prior);
  }

  public static CalibratedConfidence fit(RecordedDataset train) {
    Map<String, PlattCalibrator> calibrators = new HashMap<>();
    Map<String, Double> prior = new HashMap<>();
    for (String m : train.models()) {
      prior.put(m, train.meanScore(m));
      var withSignal = train.queries().stream().filter(q -> q.outcome(m).hasConfidence()).toList();
      if (withSignal.isEmpty()) {
        continue;
      }
      double[] x = new double[withSignal.size()];
      double[] y = new double[withSignal.size()];
      for (int i = 0; i < x.length; i++) {
        RecordedOutcome o = withSignal.get(i).outcome(m);
        x[i] = AnswerSignal.of(m, o).confidence();
        y[i] = o.score();
      }
      calibrators.put(m, PlattCalibrator.fit(x, y));
    }
    return new CalibratedConfidence(calibrators, prior);
  }

  public double probability(AnswerSignal answer) {
    PlattCalibrator c = calibrators.get(answer.modelId());
    if (c == null || answer.confidence() == null) {
      return prior.getOrDefault(answer.modelId(), 0.5);
    }
    return c.probability(answer.confidence());
  }

  public double probability(String modelId, RecordedQuery q) {
    return probability(AnswerSignal.of(modelId, q.outcome(modelId)));
  }

  public double prior(String modelId) {
    return prior.getOrDefault(modelId, 0.5);
  }
}
