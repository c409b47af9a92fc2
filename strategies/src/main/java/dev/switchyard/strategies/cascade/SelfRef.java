package dev.switchyard.strategies.cascade;

import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.support.AnswerSignal;
import dev.switchyard.strategies.cascade.support.CalibratedConfidence;
import dev.switchyard.strategies.cascade.support.Cascades;
import dev.switchyard.strategies.cascade.support.ModelStats;
import dev.switchyard.strategies.cascade.support.ResponseFeatures;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.ml.LogisticRegression;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Self-REF (Chuang et al., "Learning to Route LLMs with Confidence Tokens", arXiv 2410.02736): a model learns to
 * emit a confidence token after its answer; the probability of the "confident" token, {@code P(<CN>)}, is a
 * calibrated confidence used to route the query to a stronger model or to reject it.
 *
 * <p>For every model a confidence head {@code P(<CN> | q, a) = sigmoid(w_m . phi(q, a))} is learned on the
 * training split with the model's own correctness as label (the token's training target), from the query's
 * cues and task hint, the answer's shape and the model's raw token log-probability. Routing follows the
 * paper's setting: a base model answers; if its confidence is below {@code tau} the query goes to the
 * strongest model; if that model's confidence is in turn below the rejection level the plan abstains
 * (rejection learning; off by default). The base model is the cheapest chain model whose training accuracy
 * reaches the midpoint between the cheapest and the strongest model's. {@code tau} is the trade-off.
 */
public final class SelfRef implements Strategy {
  private static final double L2 = 1.0;
  private final double rejectBelow;
  private ResponseFeatures features;
  private final Map<String, LogisticRegression> heads = new HashMap<>();
  private List<String> pair = List.of();

  public SelfRef() {
    this(0);
  }

  /** @param rejectBelow abstain when the strongest model's confidence is below this (0 = never reject) */
  public SelfRef(double rejectBelow) {
    if (!(rejectBelow >= 0 && rejectBelow <= 1)) {
      throw new IllegalArgumentException("rejectBelow must be in [0, 1], got " + rejectBelow);
    }
    this.rejectBelow = rejectBelow;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("self-ref",
        "Chuang et al., Learning to Route LLMs with Confidence Tokens, arXiv 2410.02736",
        Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.RESPONSE),
        "no fine-tuning of the model: the confidence token is stood in for by a per-model learned head over the "
            + "answer log-probability, answer shape and query cues, trained on the model's own correctness");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    ModelStats stats = ModelStats.of(train);
    features = new ResponseFeatures(QueryEncoder.withoutNgrams(train), CalibratedConfidence.fit(train));
    heads.clear();
    List<RecordedQuery> qs = train.queries();
    for (String m : train.models()) {
      double[][] x = qs.stream().map(q -> features.of(q, m)).toArray(double[][]::new);
      double[] y = qs.stream().mapToDouble(q -> q.outcome(m).score()).toArray();
      heads.put(m, LogisticRegression.fitAddingIntercept(x, y, L2));
    }
    List<String> chain = stats.efficientChain();
    String strong = chain.get(chain.size() - 1);
    double midpoint = 0.5 * (stats.quality(chain.get(0)) + stats.quality(strong));
    String base = chain.stream().filter(m -> stats.quality(m) >= midpoint).findFirst().orElse(strong);
    pair = base.equals(strong) ? List.of(strong) : List.of(base, strong);
  }

  /** {@code P(<CN>)} of a response: the model's learned, calibrated confidence in its own answer. */
  public double confidence(PlanState state, Response response) {
    LogisticRegression head = heads.get(response.modelId());
    if (head == null) {
      return 0.5;
    }
    return head.probability(features.of(features.encoder().features(state), AnswerSignal.of(response)));
  }

  /** The base model and the strong model it defers to. */
  public List<String> pair() {
    return pair;
  }

  @Override
  public double[] tradeoffs() {
    return Cascades.unitGrid(20);
  }

  @Override
  public Planner planner(double threshold) {
    if (heads.isEmpty()) {
      throw new IllegalStateException("self-ref: fit() must run first");
    }
    Cascades.requireUnit("threshold", threshold);
    return new ThreeStagePipeline(
        state -> new RouteDecision(ModelStats.deployed(pair, state), Double.NaN, "self-ref"),
        this::confidence,
        (state, confidence, route) -> {
          var next = route.ranking().stream().filter(m -> !state.tried(m)).findFirst();
          if (next.isPresent()) {
            return confidence >= threshold ? Escalation.accept() : new Escalation.EscalateTo(next.get());
          }
          return confidence >= rejectBelow ? Escalation.accept()
              : new Escalation.Abstain("confidence " + confidence + " below rejection level " + rejectBelow);
        });
  }
}
