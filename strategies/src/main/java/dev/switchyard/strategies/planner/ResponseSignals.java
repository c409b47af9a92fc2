package dev.switchyard.strategies.planner;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.PlattCalibrator;
import dev.switchyard.strategies.plan.PlanState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What planners read from model cards and answers: a model's prior quality on the query's task (card
 * descriptor {@code task:<t>}, else {@code prior_quality}), its expected cost in units of a cost scale (card
 * descriptor {@code mean_cost_usd}, else its price for a typical call), and an answer's calibrated
 * probability of being correct (per-model Platt scaling fitted on training outcomes; the model's prior
 * quality when it has no calibrator or no confidence signal). Conditioning on cards, not model ids, is what
 * lets a model added later be used without retraining.
 */
public final class ResponseSignals {
  private final Map<String, PlattCalibrator> calibrators;
  private final double costScale;

  public ResponseSignals(Map<String, PlattCalibrator> calibrators, double costScale) {
    if (!(costScale > 0)) {
      throw new IllegalArgumentException("costScale must be > 0, got " + costScale);
    }
    this.calibrators = Map.copyOf(calibrators);
    this.costScale = costScale;
  }

  /** Calibrators fitted per model on the training split; cost scale = the largest mean cost of a model. */
  public static ResponseSignals fit(RecordedDataset train) {
    Map<String, PlattCalibrator> cal = new HashMap<>();
    double maxCost = 0;
    for (String m : train.models()) {
      List<RecordedQuery> withConf = train.queries().stream().filter(q -> q.outcome(m).hasConfidence()).toList();
      double[] x = new double[withConf.size()];
      double[] y = new double[withConf.size()];
      for (int i = 0; i < x.length; i++) {
        RecordedOutcome o = withConf.get(i).outcome(m);
        x[i] = o.confidence();
        y[i] = o.score();
      }
      if (x.length > 0) {
        cal.put(m, PlattCalibrator.fit(x, y));
      }
      maxCost = Math.max(maxCost, train.meanCost(m));
    }
    return new ResponseSignals(cal, maxCost > 0 ? maxCost : 1.0);
  }

  public double costScale() {
    return costScale;
  }

  public static double quality(ModelCard card, String task) {
    double prior = card.descriptor("prior_quality", 0.5);
    double q = task == null ? prior : card.descriptor("task:" + task, prior);
    return Double.isNaN(q) ? prior : q;
  }

  public double cost(ModelCard card) {
    return card.descriptor("mean_cost_usd", card.priceUsd(150, 15)) / costScale;
  }

  public double confidence(PlanState state, Response r) {
    PlattCalibrator c = calibrators.get(r.modelId());
    if (c != null && r.confidence() != null) {
      return c.probability(r.confidence());
    }
    Optional<ModelCard> card = state.card(r.modelId());
    return card.map(k -> quality(k, state.query().task())).orElse(0.5);
  }
}
