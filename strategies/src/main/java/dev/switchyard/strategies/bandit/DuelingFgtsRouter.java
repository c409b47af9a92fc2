package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearnerBase;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;

/**
 * Dueling Feel-Good Thompson Sampling for routing with pairwise feedback (Zhang, "Feel-Good Thompson Sampling
 * for Contextual Dueling Bandits", arXiv 2404.06013; applied to LLM routing by Chiang, Ishida &amp; Sugiyama,
 * "LLM Routing with Dueling Feedback", 2025).
 *
 * <p>Model {@code m} has utility {@code theta_m . x}; the preference of {@code a} over {@code b} is
 * {@code P(a > b) = sigmoid((theta_a - theta_b) . x)}. Each {@code theta_m} has a Gaussian (Laplace) posterior
 * {@code N(mu_m, P_m^-1)}, updated online after a duel with outcome {@code y}: {@code p = sigmoid((mu_a -
 * mu_b) . x)}, {@code P_a += p(1-p) x x^T}, {@code mu_a += P_a^-1 x (y - p)}, and symmetrically for {@code b}
 * with {@code -(y - p)}. The feel-good term {@code exp(gamma * max_m theta_m . x)} of the posterior shifts each
 * arm's sample mean to {@code mu_m + gamma P_m^-1 x} (completing the square). Per query two independent
 * posterior samples pick the first and the second arm (distinct); with probability {@code duelRate} both are
 * called and the answer of the one with the higher posterior mean utility is returned, otherwise only the
 * first is called. A duel's winner is the call with the higher {@link RewardModel#ofCall} (ties are skipped).
 */
public final class DuelingFgtsRouter extends OnlineLearnerBase {
  private final ContextFeaturizer featurizer;
  private final RewardModel reward;
  private final double priorPrecision;
  private final double feelGood;
  private final double duelRate;
  private final long seed;
  private final int d;
  private final Map<String, Posterior> arms = new TreeMap<>();

  public DuelingFgtsRouter(String name, ContextFeaturizer featurizer, RewardModel reward, double priorPrecision,
      double feelGood, double duelRate, long seed) {
    super(name);
    if (!(priorPrecision > 0) || feelGood < 0 || !(duelRate >= 0 && duelRate <= 1)) {
      throw new IllegalArgumentException("need priorPrecision > 0, feelGood >= 0, duelRate in [0, 1]; got "
          + priorPrecision + ", " + feelGood + ", " + duelRate);
    }
    this.featurizer = featurizer;
    this.reward = reward;
    this.priorPrecision = priorPrecision;
    this.feelGood = feelGood;
    this.duelRate = duelRate;
    this.seed = seed;
    this.d = featurizer.dimension();
  }

  /** Lexical cues and task only (no n-grams): the pairwise signal is sparse, a small context learns faster. */
  public static DuelingFgtsRouter standard(RewardModel reward, long seed) {
    return new DuelingFgtsRouter("dueling-fgts", new ContextFeaturizer(0, 16), reward, 1.0, 0.1, 1.0, seed);
  }

  private final class Posterior {
    final DMatrixRMaj precision = CommonOps_DDRM.identity(d);
    final DMatrixRMaj mean = new DMatrixRMaj(d, 1);
    final DMatrixRMaj cov = new DMatrixRMaj(d, d);
    final DMatrixRMaj covChol = new DMatrixRMaj(d, d);

    Posterior() {
      CommonOps_DDRM.scale(priorPrecision, precision);
      refresh();
    }

    void refresh() {
      if (!CommonOps_DDRM.invert(precision, cov)) {
        throw new IllegalStateException("dueling posterior precision became singular");
      }
      CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(d, true);
      DMatrixRMaj copy = cov.copy();
      if (!chol.decompose(copy)) {
        throw new IllegalStateException("dueling posterior covariance is not positive definite");
      }
      chol.getT(covChol);
    }

    double meanUtility(double[] x) {
      double s = 0;
      for (int i = 0; i < d; i++) {
        s += mean.get(i, 0) * x[i];
      }
      return s;
    }

    /** One feel-good posterior sample of the utility at x. */
    double sample(double[] x, Random rnd) {
      double[] z = new double[d];
      for (int i = 0; i < d; i++) {
        z[i] = rnd.nextGaussian();
      }
      double u = 0;
      for (int i = 0; i < d; i++) {
        double theta = mean.get(i, 0);
        double shift = 0;
        double noise = 0;
        for (int j = 0; j < d; j++) {
          shift += cov.get(i, j) * x[j];
          noise += covChol.get(i, j) * z[j];
        }
        u += (theta + feelGood * shift + noise) * x[i];
      }
      return u;
    }

    void update(double[] x, double weight, double gradient) {
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          precision.add(i, j, weight * x[i] * x[j]);
        }
      }
      refresh();
      for (int i = 0; i < d; i++) {
        double step = 0;
        for (int j = 0; j < d; j++) {
          step += cov.get(i, j) * x[j];
        }
        mean.add(i, 0, step * gradient);
      }
    }
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), "Zhang, Feel-Good Thompson Sampling for Contextual Dueling Bandits, arXiv"
        + " 2404.06013; Chiang, Ishida & Sugiyama, LLM Routing with Dueling Feedback, 2025",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.QUERY, Signal.MODEL_METADATA, Signal.FEEDBACK),
        "Laplace-approximate Gaussian posterior per model instead of MCMC; in simulation the duel winner is"
            + " the call with the higher recorded score minus cost, standing in for a human preference");
  }

  @Override
  public Planner planner() {
    return this::next;
  }

  private PlanAction next(PlanState state) {
    double[] x = featurizer.features(state.query().text(), state.query().task());
    Random rnd = Seeds.forQuery(seed, state.query().id());
    List<String> arms = Arms.available(state);
    String first;
    String second;
    boolean duel;
    Map<String, Double> meanUtility = new HashMap<>();
    synchronized (this) {
      first = argmax(arms, x, rnd, null);
      second = arms.size() > 1 ? argmax(arms, x, rnd, first) : null;
      duel = second != null && rnd.nextDouble() < duelRate;
      for (String m : arms) {
        Posterior p = this.arms.get(m);
        meanUtility.put(m, p == null ? 0 : p.meanUtility(x));
      }
    }
    List<Decision> trace = new ArrayList<>();
    List<String> plan = duel ? List.of(first, second) : List.of(first);
    if (state.round() == 0) {
      trace.add(Decision.of(Stage.PRE_ROUTE, first, duel ? "duel:" + first + "|" + second : "single", Double.NaN));
    }
    if (!state.budgetExhausted()) {
      for (String m : plan) {
        if (!state.tried(m)) {
          return PlanAction.Route.to(m, trace);
        }
      }
    }
    List<Response> answered = state.responses();
    if (answered.isEmpty()) {
      // Every planned call failed: spill to the next model not yet tried, if any.
      for (String m : arms) {
        if (!state.tried(m) && !state.budgetExhausted()) {
          return PlanAction.Route.to(m, trace);
        }
      }
      trace.add(Decision.of(Stage.ABSTAIN, null, "every model failed", Double.NaN));
      return new PlanAction.Abstain("every model failed", trace);
    }
    Response best = answered.get(0);
    for (Response r : answered) {
      if (meanUtility.getOrDefault(r.modelId(), 0.0) > meanUtility.getOrDefault(best.modelId(), 0.0)) {
        best = r;
      }
    }
    trace.add(Decision.of(Stage.ANSWER, best.modelId(), "higher posterior utility",
        meanUtility.getOrDefault(best.modelId(), 0.0)));
    return new PlanAction.Answer(best.text(), best.modelId(), trace);
  }

  private String argmax(List<String> arms, double[] x, Random rnd, String exclude) {
    String best = null;
    double bestValue = Double.NEGATIVE_INFINITY;
    Posterior prior = null;
    for (String m : arms) {
      Posterior p = this.arms.get(m);
      if (p == null) {
        prior = prior == null ? new Posterior() : prior;
        p = prior;
      }
      double v = p.sample(x, rnd);
      if (!m.equals(exclude) && v > bestValue) {
        best = m;
        bestValue = v;
      }
    }
    return best;
  }

  @Override
  protected boolean update(Episode episode) {
    List<Response> calls = episode.calls();
    if (calls.size() < 2) {
      return false;
    }
    Response a = calls.get(0);
    Response b = calls.get(1);
    double ra = reward.ofCall(a);
    double rb = reward.ofCall(b);
    if (Double.isNaN(ra) || Double.isNaN(rb) || ra == rb || a.modelId().equals(b.modelId())) {
      return false;
    }
    duel(a.modelId(), b.modelId(), ra > rb, featurizer.features(episode.queryText(), episode.task()));
    return true;
  }

  /** One pairwise observation: {@code aWon} says whether {@code a} answered better than {@code b}. */
  void duel(String a, String b, boolean aWon, double[] x) {
    Posterior pa = arms.computeIfAbsent(a, k -> new Posterior());
    Posterior pb = arms.computeIfAbsent(b, k -> new Posterior());
    double p = 1 / (1 + Math.exp(-(pa.meanUtility(x) - pb.meanUtility(x))));
    double y = aWon ? 1 : 0;
    double w = p * (1 - p);
    pa.update(x, w, y - p);
    pb.update(x, w, -(y - p));
  }

  /** Posterior mean utility of a model at a context. */
  public synchronized double meanUtility(String model, String text, String task) {
    Posterior p = arms.get(model);
    return p == null ? 0 : p.meanUtility(featurizer.features(text, task));
  }

  @Override
  protected void writeParameters(Map<String, double[]> p) {
    arms.forEach((m, post) -> {
      p.put(Arms.key(m, "precision"), post.precision.getData().clone());
      p.put(Arms.key(m, "mean"), post.mean.getData().clone());
    });
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    arms.clear();
    for (String m : Arms.armsIn(snapshot)) {
      double[] prec = snapshot.parameter(Arms.key(m, "precision"));
      double[] mean = snapshot.parameter(Arms.key(m, "mean"));
      if (prec.length != d * d || mean.length != d) {
        throw new IllegalArgumentException("snapshot posterior of " + m + " has dimension " + mean.length
            + ", this learner's context has " + d);
      }
      Posterior post = new Posterior();
      System.arraycopy(prec, 0, post.precision.getData(), 0, prec.length);
      System.arraycopy(mean, 0, post.mean.getData(), 0, mean.length);
      post.refresh();
      arms.put(m, post);
    }
  }
}
