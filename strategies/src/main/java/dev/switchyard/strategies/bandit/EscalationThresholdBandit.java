package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearnerBase;
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.Planner;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Escalation thresholds tuned by a bandit from deployment feedback (the survey's first open gap, Moslem &amp;
 * Kelleher, arXiv 2603.04445 §10: cascade thresholds are set offline and never revisited). A confidence
 * cascade over a fixed chain accepts model {@code k}'s answer when its calibrated confidence is at least
 * {@code tau}; {@code tau} is chosen per query by UCB1 over a grid of thresholds, arm {@code i} scoring
 * {@code mean_i + c * range * sqrt(2 ln N / n_i)} (untried arms first, lowest threshold first), with the
 * episode reward {@code score - lambda cost / costScale}. The arm used is recorded in the episode's pre-route
 * step ({@code threshold-arm:<i>}), which is how {@link #learn} credits it.
 */
public final class EscalationThresholdBandit extends OnlineLearnerBase {
  private static final String TAG = "threshold-arm:";
  private final List<String> chain;
  private final double[] thresholds;
  private final ToDoubleFunction<Response> confidence;
  private final RewardModel reward;
  private final double exploration;
  private final double[] pulls;
  private final double[] sums;

  /**
   * @param chain the escalation order, cheapest first
   * @param confidence calibrated probability that a response is correct (e.g. a fitted confidence cascade's)
   */
  public EscalationThresholdBandit(String name, List<String> chain, double[] thresholds,
      ToDoubleFunction<Response> confidence, RewardModel reward, double exploration) {
    super(name);
    if (chain.isEmpty() || thresholds.length == 0) {
      throw new IllegalArgumentException("need a non-empty chain and threshold grid, got " + chain.size()
          + " models and " + thresholds.length + " thresholds");
    }
    if (exploration < 0) {
      throw new IllegalArgumentException("exploration must be >= 0, got " + exploration);
    }
    this.chain = List.copyOf(chain);
    this.thresholds = thresholds.clone();
    this.confidence = confidence;
    this.reward = reward;
    this.exploration = exploration;
    this.pulls = new double[thresholds.length];
    this.sums = new double[thresholds.length];
  }

  /** Eleven thresholds 0, 0.1, ..., 1. */
  public static double[] defaultGrid() {
    double[] g = new double[11];
    for (int i = 0; i < g.length; i++) {
      g[i] = i / 10.0;
    }
    return g;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), "Moslem & Kelleher, arXiv 2603.04445, §10 open gap; UCB1 (Auer et al. 2002)"
        + " over the thresholds of a confidence cascade (Zellinger & Thomson, arXiv 2501.09345)",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.RESPONSE, Signal.FEEDBACK),
        "one shared threshold for every stage of the chain, chosen from a fixed grid");
  }

  @Override
  public Planner planner() {
    return new ThreeStagePipeline(
        state -> {
          int arm;
          synchronized (this) {
            arm = choose();
          }
          return new RouteDecision(chain, thresholds[arm], TAG + arm);
        },
        (state, response) -> confidence.applyAsDouble(response),
        (state, conf, route) -> {
          if (conf >= route.score()) {
            return Escalation.accept();
          }
          return route.ranking().stream().filter(m -> !state.tried(m)).findFirst()
              .<Escalation>map(Escalation.EscalateTo::new).orElse(Escalation.accept());
        });
  }

  synchronized int choose() {
    for (int i = 0; i < pulls.length; i++) {
      if (pulls[i] == 0) {
        return i;
      }
    }
    double total = 0;
    for (double p : pulls) {
      total += p;
    }
    int best = 0;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < pulls.length; i++) {
      double v = sums[i] / pulls[i] + exploration * reward.range() * Math.sqrt(2 * Math.log(total) / pulls[i]);
      if (v > bestValue) {
        best = i;
        bestValue = v;
      }
    }
    return best;
  }

  /** The threshold the bandit would use now. */
  public synchronized double currentThreshold() {
    return thresholds[choose()];
  }

  /** The threshold with the best mean reward so far (no exploration), NaN before any feedback. */
  public synchronized double bestThreshold() {
    int best = -1;
    for (int i = 0; i < pulls.length; i++) {
      if (pulls[i] > 0 && (best < 0 || sums[i] / pulls[i] > sums[best] / pulls[best])) {
        best = i;
      }
    }
    return best < 0 ? Double.NaN : thresholds[best];
  }

  @Override
  protected boolean update(Episode episode) {
    double r = reward.of(episode);
    if (Double.isNaN(r)) {
      return false;
    }
    for (EpisodeStep step : episode.steps()) {
      if (step.stage() == Stage.PRE_ROUTE && step.decision().startsWith(TAG)) {
        int arm = Integer.parseInt(step.decision().substring(TAG.length()));
        if (arm < 0 || arm >= thresholds.length) {
          return false;
        }
        pulls[arm] += 1;
        sums[arm] += r;
        return true;
      }
    }
    return false;
  }

  @Override
  protected void writeParameters(Map<String, double[]> p) {
    p.put("thresholds", thresholds.clone());
    p.put("pulls", pulls.clone());
    p.put("sums", sums.clone());
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    double[] t = snapshot.parameter("thresholds");
    if (!java.util.Arrays.equals(t, thresholds)) {
      throw new IllegalArgumentException("snapshot threshold grid " + java.util.Arrays.toString(t)
          + " differs from this learner's " + java.util.Arrays.toString(thresholds));
    }
    System.arraycopy(snapshot.parameter("pulls"), 0, pulls, 0, pulls.length);
    System.arraycopy(snapshot.parameter("sums"), 0, sums, 0, sums.length);
  }
}
