package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * UCB1 over models (Auer, Cesa-Bianchi &amp; Fischer, "Finite-time Analysis of the Multiarmed Bandit Problem",
 * 2002) with the accuracy-cost reward of MetaLLM (Nguyen et al., arXiv 2407.10834):
 * {@code r = score - costWeight * costUsd / costScale}. Arm {@code i} is chosen by
 * {@code argmax mean_i + c * sqrt(2 ln N / n_i)}, untried arms first in model order. Deterministic.
 * Only the model that answered is credited, with the episode's score.
 */
public final class Ucb1Bandit implements OnlineLearner {
  private final String name;
  private final List<String> arms;
  private final double costWeight;
  private final double costScale;
  private final double exploration;
  private final long[] pulls;
  private final double[] rewardSums;
  private long episodes;

  /**
   * @param costScale the cost that counts as one unit of quality lost at {@code costWeight = 1}, typically
   *     the most expensive model's mean cost
   */
  public Ucb1Bandit(String name, List<String> arms, double costWeight, double costScale, double exploration) {
    if (arms.isEmpty()) {
      throw new IllegalArgumentException("a bandit needs at least one arm");
    }
    if (costScale <= 0 || exploration < 0 || costWeight < 0) {
      throw new IllegalArgumentException("costScale must be > 0 and costWeight, exploration >= 0");
    }
    this.name = name;
    this.arms = List.copyOf(arms);
    this.costWeight = costWeight;
    this.costScale = costScale;
    this.exploration = exploration;
    this.pulls = new long[arms.size()];
    this.rewardSums = new double[arms.size()];
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name, "Auer et al. 2002 (UCB1); MetaLLM reward, Nguyen et al., arXiv 2407.10834",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.FEEDBACK, Signal.MODEL_METADATA), "");
  }

  /** Chooses at decision time, so one planner serves every query with the parameters current then. */
  @Override
  public Planner planner() {
    return ThreeStagePipeline.routeOnly(state -> {
      String arm;
      double score;
      synchronized (this) {
        arm = choose();
        score = ucb(arms.indexOf(arm));
      }
      List<String> ranking = new ArrayList<>();
      ranking.add(arm);
      arms.stream().filter(a -> !a.equals(arm)).forEach(ranking::add);
      return new RouteDecision(ranking, score, "ucb1");
    });
  }

  synchronized String choose() {
    for (int i = 0; i < arms.size(); i++) {
      if (pulls[i] == 0) {
        return arms.get(i);
      }
    }
    int best = 0;
    for (int i = 1; i < arms.size(); i++) {
      if (ucb(i) > ucb(best)) {
        best = i;
      }
    }
    return arms.get(best);
  }

  private double ucb(int i) {
    if (pulls[i] == 0) {
      return Double.POSITIVE_INFINITY;
    }
    long total = 0;
    for (long p : pulls) {
      total += p;
    }
    return rewardSums[i] / pulls[i] + exploration * Math.sqrt(2 * Math.log(total) / pulls[i]);
  }

  public double reward(double score, double costUsd) {
    return score - costWeight * costUsd / costScale;
  }

  @Override
  public synchronized void learn(Episode episode) {
    if (episode.score() == null || episode.answerModel() == null) {
      return;
    }
    int i = arms.indexOf(episode.answerModel());
    if (i < 0) {
      return;
    }
    pulls[i]++;
    rewardSums[i] += reward(episode.score(), episode.costUsd());
    episodes++;
  }

  @Override
  public synchronized long episodesLearned() {
    return episodes;
  }

  public synchronized double meanReward(String arm) {
    int i = arms.indexOf(arm);
    return pulls[i] == 0 ? Double.NaN : rewardSums[i] / pulls[i];
  }

  @Override
  public synchronized PolicySnapshot snapshot(long version, long createdAtMillis) {
    double[] p = new double[pulls.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = pulls[i];
    }
    return new PolicySnapshot(name, version, episodes,
        Map.of("pulls", p, "reward_sums", rewardSums.clone()), createdAtMillis);
  }

  @Override
  public synchronized void restore(PolicySnapshot snapshot) {
    double[] p = snapshot.parameter("pulls");
    double[] s = snapshot.parameter("reward_sums");
    if (p.length != arms.size() || s.length != arms.size()) {
      throw new IllegalArgumentException("snapshot of " + snapshot.policy() + " has " + p.length
          + " arms, this bandit has " + arms.size());
    }
    for (int i = 0; i < p.length; i++) {
      pulls[i] = (long) p[i];
      rewardSums[i] = s[i];
    }
    episodes = snapshot.episodes();
  }

}
