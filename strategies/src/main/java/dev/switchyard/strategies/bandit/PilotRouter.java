package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.learn.OnlineLearnerBase;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.Map;
import java.util.TreeMap;

/**
 * PILOT (Panda et al., "Adaptive LLM Routing under Budget Constraints", 2025): LinUCB over models with a
 * preference prior and an online budget policy.
 *
 * <p>Quality: disjoint LinUCB on the query context {@code x}, reward = episode score, warm-started by
 * {@link #warmStart} with pseudo-observations {@code A_m += w x x^T, b_m += w s x} from prior data (the
 * paper's preference prior from offline human-preference data). Budget: the online knapsack constraint
 * "mean cost per query <= B" is paced by a Lagrange multiplier updated after every episode,
 * {@code mu <- max(0, mu + eta (cost_t - B) / B)}; a model scores {@code ucb_m(x) - mu * c_m / costScale} with
 * {@code c_m} its observed mean cost (its card's {@code mean_cost_usd} before any observation).
 */
public final class PilotRouter extends OnlineLearnerBase {
  private final ContextFeaturizer featurizer;
  private final double budgetPerQuery;
  private final double pacingRate;
  private final double costScale;
  private final LinUcbCore core;
  private final Map<String, double[]> costStats = new TreeMap<>();
  private double mu;
  private String reason;
  private double reasonMu;

  private PilotRouter(Builder b) {
    super(b.name);
    this.featurizer = b.featurizer;
    this.budgetPerQuery = b.budgetPerQuery;
    this.pacingRate = b.pacingRate;
    this.costScale = b.costScale;
    this.core = new LinUcbCore(featurizer.dimension(), b.ridge, b.alpha);
  }

  public static Builder builder(double costScale) {
    return new Builder(costScale);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), "Panda et al., Adaptive LLM Routing under Budget Constraints (PILOT), 2025",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.QUERY, Signal.MODEL_METADATA, Signal.FEEDBACK),
        "context = lexical cues + hashed n-grams + task instead of a pretrained embedding; the preference prior"
            + " is pseudo-observations from recorded training outcomes; the knapsack policy is Lagrangian"
            + " pacing of a per-query budget rather than the paper's ratio threshold");
  }

  /** Adds each training query's recorded outcome as an observation of weight {@code weight} per model. */
  public synchronized PilotRouter warmStart(RecordedDataset prior, double weight) {
    if (!(weight > 0)) {
      throw new IllegalArgumentException("prior weight must be > 0, got " + weight);
    }
    for (RecordedQuery q : prior.queries()) {
      double[] x = featurizer.features(q.prompt(), q.task());
      q.outcomes().forEach((m, o) -> {
        core.update(m, x, o.score(), weight);
        double[] c = costStats.computeIfAbsent(m, k -> new double[2]);
        c[0] += weight;
        c[1] += weight * o.costUsd();
      });
    }
    return this;
  }

  @Override
  public Planner planner() {
    return ThreeStagePipeline.routeOnly(state -> {
      LinearArm.Context x = LinearArm.Context.of(featurizer.features(state.query().text(), state.query().task()));
      synchronized (this) {
        return Arms.rank(Arms.available(state), m -> core.ucb(m, x) - mu * expectedCost(state, m) / costScale,
            reason());
      }
    });
  }

  /** "pilot mu=" and the multiplier, rebuilt only when the multiplier has changed (it is the same for many decisions). */
  private String reason() {
    if (reason == null || Double.doubleToRawLongBits(reasonMu) != Double.doubleToRawLongBits(mu)) {
      reasonMu = mu;
      reason = "pilot mu=" + mu;
    }
    return reason;
  }

  private double expectedCost(PlanState state, String model) {
    double[] c = costStats.get(model);
    if (c != null && c[0] > 0) {
      return c[1] / c[0];
    }
    return state.card(model).map(card -> card.descriptor("mean_cost_usd", card.priceUsd(150, 15))).orElse(0.0);
  }

  @Override
  protected boolean update(Episode episode) {
    if (episode.score() == null || episode.answerModel() == null) {
      return false;
    }
    double[] x = featurizer.features(episode.queryText(), episode.task());
    core.update(episode.answerModel(), x, episode.score(), 1.0);
    double[] c = costStats.computeIfAbsent(episode.answerModel(), k -> new double[2]);
    c[0] += 1;
    c[1] += episode.costUsd();
    if (budgetPerQuery > 0) {
      mu = Math.max(0, mu + pacingRate * (episode.costUsd() - budgetPerQuery) / budgetPerQuery);
    }
    return true;
  }

  public synchronized double pacingMultiplier() {
    return mu;
  }

  @Override
  protected void writeParameters(Map<String, double[]> p) {
    core.writeTo(p);
    costStats.forEach((m, c) -> p.put(Arms.key(m, "cost"), c.clone()));
    p.put("mu", new double[] {mu});
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    core.readFrom(snapshot);
    costStats.clear();
    for (String m : Arms.armsIn(snapshot)) {
      double[] c = snapshot.parameters().get(Arms.key(m, "cost"));
      if (c != null) {
        costStats.put(m, c.clone());
      }
    }
    mu = Arms.scalar(snapshot.parameters(), "mu");
  }

  /** Defaults: ridge 1, alpha 0.5, no budget (pacing off), pacing rate 0.05. */
  public static final class Builder {
    private String name = "pilot";
    private ContextFeaturizer featurizer = ContextFeaturizer.standard();
    private double ridge = 1.0;
    private double alpha = 0.5;
    private double budgetPerQuery = 0;
    private double pacingRate = 0.05;
    private final double costScale;

    private Builder(double costScale) {
      if (!(costScale > 0)) {
        throw new IllegalArgumentException("costScale must be > 0, got " + costScale);
      }
      this.costScale = costScale;
    }

    public Builder name(String v) {
      this.name = v;
      return this;
    }

    public Builder featurizer(ContextFeaturizer v) {
      this.featurizer = v;
      return this;
    }

    public Builder ridge(double v) {
      this.ridge = v;
      return this;
    }

    public Builder alpha(double v) {
      this.alpha = v;
      return this;
    }

    /** Target mean cost per query in USD; 0 turns pacing off. */
    public Builder budgetPerQuery(double v) {
      if (v < 0) {
        throw new IllegalArgumentException("budget per query must be >= 0, got " + v);
      }
      this.budgetPerQuery = v;
      return this;
    }

    public Builder pacingRate(double v) {
      if (!(v > 0)) {
        throw new IllegalArgumentException("pacing rate must be > 0, got " + v);
      }
      this.pacingRate = v;
      return this;
    }

    public PilotRouter build() {
      return new PilotRouter(this);
    }
  }
}
