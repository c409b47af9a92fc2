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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UCB1 over models (Auer, Cesa-Bianchi &amp; Fischer, "Finite-time Analysis of the Multiarmed Bandit Problem",
 * 2002) with the accuracy-cost reward of MetaLLM (Nguyen et al., arXiv 2407.10834), {@code r = score - lambda *
 * cost / costScale} ({@link RewardModel}). Arm {@code m} scores {@code mean_m + c * sqrt(2 ln N / n_m)}; an arm
 * never played scores +infinity, so untried arms go first, in deployment order; ties keep deployment order.
 * Deterministic. Only the model that answered is credited, with the episode's reward.
 *
 * <p>Two configurations of the one method, each with the snapshot layout its engine journals have always held:
 * <ul>
 *   <li>{@link #Ucb1Bandit(String, List, double, double, double) UCB1 over a fixed list of arms} (catalog
 *       {@code ucb1}): the bonus coefficient is {@code c}; parameters {@code pulls} and {@code reward_sums}, one
 *       entry per arm in list order.
 *   <li>{@link #metaLlm MetaLLM} (catalog {@code metallm}): the arms are the deployment's models whose circuit
 *       is closed (a model added later becomes an arm), the bonus is scaled by the reward's range, {@code c *
 *       range}; parameters {@code arm/<model>/stats = [pulls, reward sum]} and {@code total}.
 * </ul>
 */
public final class Ucb1Bandit extends OnlineLearnerBase {
  private final String paper;
  private final RewardModel reward;
  /** The arms, or null when they are the plan state's available models. */
  private final List<String> fixedArms;
  private final double bonus;
  /** Per arm {@code [pulls, reward sum]}, in the order arms were first seen. */
  private final Map<String, double[]> stats = new LinkedHashMap<>();
  private long total;

  private Ucb1Bandit(String name, String paper, RewardModel reward, List<String> fixedArms, double exploration,
      double bonusScale) {
    super(name);
    if (exploration < 0) {
      throw new IllegalArgumentException("exploration must be >= 0, got " + exploration);
    }
    if (fixedArms != null && fixedArms.isEmpty()) {
      throw new IllegalArgumentException("a bandit needs at least one arm");
    }
    this.paper = paper;
    this.reward = reward;
    this.fixedArms = fixedArms == null ? null : List.copyOf(fixedArms);
    this.bonus = exploration * bonusScale;
  }

  /**
   * UCB1 over {@code arms}.
   *
   * @param costScale the cost that counts as one unit of quality lost at {@code costWeight = 1}, typically the
   *     most expensive model's mean cost
   */
  public Ucb1Bandit(String name, List<String> arms, double costWeight, double costScale, double exploration) {
    this(name, "Auer et al. 2002 (UCB1); MetaLLM reward, Nguyen et al., arXiv 2407.10834",
        RewardModel.costOnly(costWeight, costScale), arms, exploration, 1);
  }

  /** MetaLLM: UCB1 over the deployment's available models, the bonus scaled by the reward's range. */
  public static Ucb1Bandit metaLlm(String name, RewardModel reward, double exploration) {
    return new Ucb1Bandit(name, "Nguyen et al., MetaLLM, arXiv 2407.10834", reward, null, exploration,
        reward.range());
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), paper,
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.FEEDBACK, Signal.MODEL_METADATA),
        fixedArms != null ? "" : "context-free UCB1 over the accuracy-cost reward (the paper also trains a linear"
            + " reward model on query embeddings offline; the contextual variants here are PILOT and GreenServ)");
  }

  /** Chooses at decision time, so one planner serves every query with the parameters current then. */
  @Override
  public Planner planner() {
    return ThreeStagePipeline.routeOnly(state -> locked(() ->
        Arms.rank(fixedArms != null ? fixedArms : Arms.available(state), this::ucb, "ucb1")));
  }

  private double ucb(String arm) {
    double[] s = stats.get(arm);
    if (s == null || s[0] == 0) {
      return Double.POSITIVE_INFINITY;
    }
    return s[1] / s[0] + bonus * Math.sqrt(2 * Math.log(Math.max(1, total)) / s[0]);
  }

  @Override
  protected boolean update(Episode episode) {
    double r = reward.of(episode);
    String arm = episode.answerModel();
    if (Double.isNaN(r) || arm == null || (fixedArms != null && !fixedArms.contains(arm))) {
      return false;
    }
    double[] s = stats.computeIfAbsent(arm, k -> new double[2]);
    s[0] += 1;
    s[1] += r;
    total++;
    return true;
  }

  public synchronized double meanReward(String arm) {
    double[] s = stats.get(arm);
    return s == null || s[0] == 0 ? Double.NaN : s[1] / s[0];
  }

  @Override
  protected void writeParameters(Map<String, double[]> parameters) {
    if (fixedArms == null) {
      stats.forEach((m, s) -> parameters.put(Arms.key(m, "stats"), s.clone()));
      parameters.put("total", new double[] {total});
      return;
    }
    double[] pulls = new double[fixedArms.size()];
    double[] sums = new double[fixedArms.size()];
    for (int i = 0; i < pulls.length; i++) {
      double[] s = stats.getOrDefault(fixedArms.get(i), new double[2]);
      pulls[i] = s[0];
      sums[i] = s[1];
    }
    parameters.put("pulls", pulls);
    parameters.put("reward_sums", sums);
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    stats.clear();
    if (fixedArms == null) {
      for (String m : Arms.armsIn(snapshot)) {
        stats.put(m, snapshot.parameter(Arms.key(m, "stats")).clone());
      }
      total = (long) Arms.scalar(snapshot.parameters(), "total");
      return;
    }
    double[] pulls = snapshot.parameter("pulls");
    double[] sums = snapshot.parameter("reward_sums");
    if (pulls.length != fixedArms.size() || sums.length != fixedArms.size()) {
      throw new IllegalArgumentException("snapshot of " + snapshot.policy() + " has " + pulls.length
          + " arms, this bandit has " + fixedArms.size());
    }
    total = 0;
    for (int i = 0; i < pulls.length; i++) {
      stats.put(fixedArms.get(i), new double[] {pulls[i], sums[i]});
      total += (long) pulls[i];
    }
  }
}
