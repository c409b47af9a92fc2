package dev.switchyard.strategies.uncertainty;

import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.support.AnswerSignal;
import dev.switchyard.strategies.cascade.support.Cascades;
import dev.switchyard.strategies.cascade.support.ModelStats;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.pipeline.Verifier;
import dev.switchyard.strategies.plan.Planner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Probe / perplexity-style confidence as a cascade verifier: Gupta et al., "Language Model Cascades:
 * Token-Level Uncertainty and Beyond", arXiv 2404.10136 (learned deferral over length-normalised token
 * log-probabilities), and the probes of Kadavath et al., "Language Models (Mostly) Know What They Know",
 * arXiv 2207.05221.
 *
 * <p>For each model a calibrated probe is fitted on the training split:
 * {@code P(correct | a) = sigmoid(w_m . z(a))} with {@code z = [ell, ell / T, has_signal, log(1 + T),
 * task one-hot, task one-hot * ell / T]}, where {@code ell} is the recorded answer log-probability and
 * {@code T} the number of output tokens (so {@code ell / T} is minus the log-perplexity of the answer). The
 * verifier looks only at the response's confidence, length and the query's task hint. The planner is a
 * threshold cascade over the cost-efficient chain: accept when the probe says {@code >= tau}; {@code tau} is
 * the trade-off.
 */
public final class LogprobProbe implements Strategy {
  private static final double L2 = 1.0;
  private List<String> chain = List.of();
  private List<String> tasks = List.of();
  private final Map<String, LogisticRegression> probes = new HashMap<>();
  private final Map<String, Double> prior = new HashMap<>();

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("logprob-probe",
        "Gupta et al., Language Model Cascades: Token-Level Uncertainty and Beyond, arXiv 2404.10136; "
            + "Kadavath et al., Language Models (Mostly) Know What They Know, arXiv 2207.05221",
        Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.RESPONSE, Signal.QUERY),
        "no hidden states or per-token log-probabilities: the probe is a per-model logistic model over the "
            + "answer's total log-probability, its per-token (perplexity-style) normalisation, output length and "
            + "their interaction with the task hint");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    tasks = train.tasks();
    chain = ModelStats.of(train).efficientChain();
    probes.clear();
    for (String m : train.models()) {
      List<RecordedQuery> qs = train.queries();
      double[][] x = new double[qs.size()][];
      double[] y = new double[qs.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = features(AnswerSignal.of(m, qs.get(i).outcome(m)), qs.get(i).task());
        y[i] = qs.get(i).outcome(m).score();
      }
      probes.put(m, LogisticRegression.fitAddingIntercept(x, y, L2));
      prior.put(m, train.meanScore(m));
    }
  }

  double[] features(AnswerSignal a, String task) {
    double ell = a.confidence() == null ? 0 : a.confidence();
    double perToken = a.perTokenConfidence();
    double[] z = new double[4 + 2 * tasks.size()];
    z[0] = ell;
    z[1] = perToken;
    z[2] = a.confidence() == null ? 0 : 1;
    z[3] = Math.log1p(a.outputTokens());
    int t = task == null ? -1 : tasks.indexOf(task);
    if (t >= 0) {
      z[4 + t] = 1;
      z[4 + tasks.size() + t] = perToken;
    }
    return z;
  }

  /** The calibrated probe as a stage-2 verifier; reads only the response's own signal and the task hint. */
  public Verifier verifier() {
    if (probes.isEmpty()) {
      throw new IllegalStateException("logprob-probe: fit() must run first");
    }
    return (state, response) -> probability(response, state.query().task());
  }

  public double probability(Response response, String task) {
    LogisticRegression probe = probes.get(response.modelId());
    if (probe == null) {
      return prior.getOrDefault(response.modelId(), 0.5);
    }
    return probe.probability(features(AnswerSignal.of(response), task));
  }

  public List<String> chain() {
    return chain;
  }

  @Override
  public double[] tradeoffs() {
    return Cascades.unitGrid(20);
  }

  @Override
  public Planner planner(double threshold) {
    return Cascades.thresholdCascade("probe cascade", chain, verifier(), threshold);
  }
}
