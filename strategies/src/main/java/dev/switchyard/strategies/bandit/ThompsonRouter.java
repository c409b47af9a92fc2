package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearnerBase;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.Planner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Gaussian Thompson sampling over models (Thompson 1933; Agrawal &amp; Goyal, "Further Optimal Regret Bounds for
 * Thompson Sampling", AISTATS 2013): each model's mean reward has posterior {@code N(mu_m, sigma^2 / (n_m + 1))}
 * with {@code mu_m = (prior + sum r) / (n_m + 1)}; each query draws one sample per model from a generator seeded
 * by the learner's seed and the query id, and routes to the largest sample. Reward as in {@link RewardModel}.
 */
public final class ThompsonRouter extends OnlineLearnerBase {
  private final RewardModel reward;
  private final double sigma;
  private final double priorMean;
  private final long seed;
  private final Map<String, double[]> stats = new TreeMap<>();

  public ThompsonRouter(String name, RewardModel reward, double sigma, double priorMean, long seed) {
    super(name);
    if (!(sigma > 0)) {
      throw new IllegalArgumentException("sigma must be > 0, got " + sigma);
    }
    this.reward = reward;
    this.sigma = sigma;
    this.priorMean = priorMean;
    this.seed = seed;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), "Thompson sampling (Agrawal & Goyal, AISTATS 2013), Gaussian posterior",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.FEEDBACK, Signal.MODEL_METADATA), "");
  }

  @Override
  public Planner planner() {
    return ThreeStagePipeline.routeOnly(state -> {
      Random rnd = Seeds.forQuery(seed, state.query().id());
      synchronized (this) {
        List<String> arms = Arms.available(state);
        Map<String, Double> draws = new HashMap<>();
        for (String m : arms) {
          draws.put(m, sample(m, rnd));
        }
        return Arms.rank(arms, draws::get, "thompson");
      }
    });
  }

  private double sample(String arm, Random rnd) {
    double[] s = stats.getOrDefault(arm, new double[2]);
    double n = s[0] + 1;
    double mean = (priorMean + s[1]) / n;
    return mean + sigma / Math.sqrt(n) * rnd.nextGaussian();
  }

  @Override
  protected boolean update(Episode episode) {
    double r = reward.of(episode);
    if (Double.isNaN(r) || episode.answerModel() == null) {
      return false;
    }
    double[] s = stats.computeIfAbsent(episode.answerModel(), k -> new double[2]);
    s[0] += 1;
    s[1] += r;
    return true;
  }

  public synchronized double posteriorMean(String arm) {
    double[] s = stats.getOrDefault(arm, new double[2]);
    return (priorMean + s[1]) / (s[0] + 1);
  }

  @Override
  protected void writeParameters(Map<String, double[]> p) {
    stats.forEach((m, s) -> p.put(Arms.key(m, "stats"), s.clone()));
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    stats.clear();
    for (String m : Arms.armsIn(snapshot)) {
      stats.put(m, snapshot.parameter(Arms.key(m, "stats")).clone());
    }
  }
}
