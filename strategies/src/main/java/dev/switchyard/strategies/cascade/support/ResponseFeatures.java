package dev.switchyard.strategies.cascade.support;

import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;

/**
 * Features of a (query, answer) pair for learned quality scorers: the query's encoding, the answer's shape,
 * the log-odds of the model's Platt-calibrated confidence, its per-token (perplexity-style) raw confidence,
 * and whether a confidence signal exists. Built from what a live response carries, never from its recorded
 * correctness.
 */
public final class ResponseFeatures {
  private final QueryEncoder encoder;
  private final CalibratedConfidence calibrated;

  public ResponseFeatures(QueryEncoder encoder, CalibratedConfidence calibrated) {
    this.encoder = encoder;
    this.calibrated = calibrated;
  }

  public int dimension() {
    return encoder.featureDimension() + AnswerSignal.ANSWER_FEATURES + 3;
  }

  public double[] of(double[] query, AnswerSignal answer) {
    double[] v = new double[dimension()];
    System.arraycopy(query, 0, v, 0, query.length);
    double[] shape = answer.answerFeatures();
    System.arraycopy(shape, 0, v, query.length, shape.length);
    int at = query.length + shape.length;
    v[at] = LogisticRegression.logOdds(calibrated.probability(answer));
    v[at + 1] = answer.perTokenConfidence();
    v[at + 2] = answer.confidence() == null ? 0 : 1;
    return v;
  }

  public double[] of(RecordedQuery q, String model) {
    return of(encoder.features(q), AnswerSignal.of(model, q.outcome(model)));
  }

  public QueryEncoder encoder() {
    return encoder;
  }

  public CalibratedConfidence calibrated() {
    return calibrated;
  }
}
