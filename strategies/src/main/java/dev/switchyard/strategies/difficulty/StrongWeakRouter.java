package dev.switchyard.strategies.difficulty;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.QueryEncoder;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Shared shape of the binary (strong vs weak) routers of RouteLLM, Hybrid LLM, RouteLMT and reasoning on/off:
 * a learned score {@code s(x)} (higher = the strong model is more needed) and a threshold calibrated on the
 * training split so that a requested share {@code alpha} of training queries goes to the strong model (RouteLLM's
 * calibration, Ong et al. arXiv 2406.18665 §5; Hybrid LLM's "cost advantage"). {@code alpha} is the swept
 * trade-off, from 0 (always weak) to 1 (always strong).
 *
 * <p>Strong = the best single model of the training split (highest mean score, ties to the cheaper). Weak = the
 * best model whose mean cost is at most {@link #WEAK_COST_RATIO} of the strong model's (the cheapest model if
 * none is). On the shared data this is llama3.1-405b vs gpt-4o-mini.
 *
 * <p>Cost enters through the share: each strong call costs the strong model's price, so sweeping {@code alpha}
 * sweeps cost. The objective's latency and energy weights do not apply to a two-model choice whose share is fixed
 * by the operator; use a {@link UtilityRouter} when they matter.
 */
public abstract class StrongWeakRouter implements Strategy {
  public static final double WEAK_COST_RATIO = 0.1;
  private final int hashDimension;
  private final EstimateCache<Score> cache = new EstimateCache<>(50_000);
  protected TrainingSet training;
  protected QueryEncoder encoder;
  protected TaskPrior taskPrior;
  protected int strong = -1;
  protected int weak = -1;
  private double[] sortedTrainingScores;

  protected StrongWeakRouter(int hashDimension) {
    if (hashDimension < 2) {
      throw new IllegalArgumentException("hash dimension must be >= 2, got " + hashDimension);
    }
    this.hashDimension = hashDimension;
  }

  @Override
  public final void fit(RecordedDataset train, StrategyContext context) {
    if (train.models().size() < 2) {
      throw new IllegalArgumentException(info().name() + " needs at least two models, got " + train.models());
    }
    EncodedTraining encoded = EncodedTraining.of(train, hashDimension);
    encoder = encoded.encoder();
    training = encoded.set();
    taskPrior = TaskPrior.fit(training, encoder.tasks());
    String strongId = train.bestSingleModel();
    strong = training.modelIndex(strongId);
    weak = training.modelIndex(weakModel(train, strongId));
    cache.clear();
    fitScorer(train, training, context);
    sortedTrainingScores = trainingScores().clone();
    Arrays.sort(sortedTrainingScores);
  }

  /** The best model costing at most {@link #WEAK_COST_RATIO} of the strong one (else the cheapest). */
  static String weakModel(RecordedDataset train, String strongId) {
    double limit = WEAK_COST_RATIO * train.meanCost(strongId);
    return train.models().stream().filter(m -> !m.equals(strongId) && train.meanCost(m) <= limit)
        .max(Comparator.comparingDouble(train::meanScore)
            .thenComparing(Comparator.comparingDouble(train::meanCost).reversed()))
        .orElseGet(() -> train.models().stream().filter(m -> !m.equals(strongId))
            .min(Comparator.comparingDouble(train::meanCost)).orElseThrow());
  }

  protected abstract void fitScorer(RecordedDataset train, TrainingSet set, StrategyContext context);

  /** Higher means the strong model is more needed. */
  protected abstract double strongScore(QueryEncoder.Encoded query);

  /**
   * Scores of the training queries used for calibration; by default {@link #strongScore} of each. Routers whose
   * score would see the query itself (nearest-neighbour methods) override this with a leave-one-out score.
   */
  protected double[] trainingScores() {
    return training.queries().stream().mapToDouble(this::strongScore).toArray();
  }

  public final double score(Query query) {
    return scored(query.text(), query.task()).value();
  }

  /**
   * A query's score with its label for the decision's reason, both memoised: formatting the score was an eighth
   * of a decision, and a replayed query needs it at every point of the trade-off sweep.
   */
  private Score scored(String text, String task) {
    requireFitted();
    return cache.get(text, task, k -> Score.of(strongScore(encoder.encode(text, task))));
  }

  /** {@code label} is the score as the decision's reason shows it. */
  private record Score(double value, String label) {
    static Score of(double value) {
      return new Score(value, String.format(" s=%.3f", value));
    }
  }

  public String strongModel() {
    requireFitted();
    return training.models().get(strong);
  }

  public String weakModel() {
    requireFitted();
    return training.models().get(weak);
  }

  /**
   * The threshold {@code t} such that a share {@code alpha} of training queries has score {@code > t}: with the
   * scores sorted ascending {@code s_1 <= ... <= s_n} and {@code k = round(alpha n)} strong calls, {@code t} is
   * the midpoint of {@code s_(n-k)} and {@code s_(n-k+1)} (minus/plus infinity at the ends).
   */
  public double threshold(double alpha) {
    requireFitted();
    checkShare(alpha);
    int n = sortedTrainingScores.length;
    int k = (int) Math.round(alpha * n);
    if (k <= 0) {
      return Double.POSITIVE_INFINITY;
    }
    if (k >= n) {
      return Double.NEGATIVE_INFINITY;
    }
    return (sortedTrainingScores[n - k - 1] + sortedTrainingScores[n - k]) / 2.0;
  }

  @Override
  public double[] tradeoffs() {
    double[] t = new double[21];
    for (int i = 0; i < t.length; i++) {
      t[i] = i / 20.0;
    }
    return t;
  }

  @Override
  public Planner planner(double strongShare) {
    double threshold = threshold(strongShare);
    // what the reason of every decision of this planner shows: the router's name, the side and the threshold
    String name = info().name();
    String thresholdLabel = String.format(" t=%.3f", threshold);
    return ThreeStagePipeline.routeOnly(state -> {
      Query query = state.query();
      Score s = scored(query.text(), query.task());
      boolean toStrong = s.value() > threshold;
      List<String> preferred = toStrong
          ? List.of(strongModel(), weakModel()) : List.of(weakModel(), strongModel());
      return route(state, preferred, s.value(),
          name + (toStrong ? " strong" : " weak") + s.label() + thresholdLabel);
    });
  }

  /** The preferred models that the state offers, in preference order. */
  private RouteDecision route(PlanState state, List<String> preferred, double score, String reason) {
    List<String> ranking = new ArrayList<>(preferred.size());
    for (String m : preferred) {
      if (state.card(m).isPresent()) {
        ranking.add(m);
      }
    }
    if (ranking.isEmpty()) {
      throw new IllegalStateException(info().name() + ": neither " + preferred + " is among the offered models "
          + state.models().stream().map(ModelCard::id).toList());
    }
    return new RouteDecision(ranking, score, reason);
  }

  protected final void requireFitted() {
    if (training == null) {
      throw new IllegalStateException(info().name() + ": fit() must run before routing");
    }
  }

  static void checkShare(double alpha) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("strong-call share must lie in [0, 1], got " + alpha);
    }
  }
}
