package dev.switchyard.strategies.bandit;

import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.plan.Planner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MetaLLM (Nguyen et al., "MetaLLM: A High-performant and Cost-efficient Dynamic Framework for Wrapping
 * LLMs", arXiv 2407.10834): routing as a multi-armed bandit whose reward trades accuracy against cost,
 * {@code r = a - p * c} (here {@code r = score - lambda * cost / costScale}), played with UCB1: arm {@code m}
 * scores {@code mean_m + c * range * sqrt(2 ln N / n_m)}; an arm never played scores +infinity, so untried
 * models (including one that joins later) go first, in deployment order.
 */
public final class MetaLlmBandit implements OnlineLearner {
  private final String name;
  private final RewardModel reward;
  private final double exploration;
  private final Map<String, double[]> stats = new TreeMap<>();
  private long total;
  private long episodes;

  public MetaLlmBandit(String name, RewardModel reward, double exploration) {
    if (exploration < 0) {
      throw new IllegalArgumentException("exploration must be >= 0, got " + exploration);
    }
    this.name = name;
    this.reward = reward;
    this.exploration = exploration;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name, "Nguyen et al., MetaLLM, arXiv 2407.10834",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.FEEDBACK, Signal.MODEL_METADATA),
        "context-free UCB1 over the accuracy-cost reward (the paper also trains a linear reward model on"
            + " query embeddings offline; the contextual variants here are PILOT and GreenServ)");
  }

  @Override
  public Planner planner() {
    return ThreeStagePipeline.routeOnly(state -> {
      synchronized (this) {
        List<String> arms = Arms.available(state);
        return Arms.rank(arms, this::ucb, "metallm ucb");
      }
    });
  }

  double ucb(String arm) {
    double[] s = stats.get(arm);
    if (s == null || s[0] == 0) {
      return Double.POSITIVE_INFINITY;
    }
    return s[1] / s[0] + exploration * reward.range() * Math.sqrt(2 * Math.log(Math.max(1, total)) / s[0]);
  }

  @Override
  public synchronized void learn(Episode episode) {
    double r = reward.of(episode);
    if (Double.isNaN(r) || episode.answerModel() == null) {
      return;
    }
    double[] s = stats.computeIfAbsent(episode.answerModel(), k -> new double[2]);
    s[0] += 1;
    s[1] += r;
    total++;
    episodes++;
  }

  public synchronized double meanReward(String arm) {
    double[] s = stats.get(arm);
    return s == null || s[0] == 0 ? Double.NaN : s[1] / s[0];
  }

  @Override
  public synchronized long episodesLearned() {
    return episodes;
  }

  @Override
  public synchronized PolicySnapshot snapshot(long version, long createdAtMillis) {
    Map<String, double[]> p = new HashMap<>();
    stats.forEach((m, s) -> p.put(Arms.key(m, "stats"), s.clone()));
    p.put("total", new double[] {total});
    return new PolicySnapshot(name, version, episodes, p, createdAtMillis);
  }

  @Override
  public synchronized void restore(PolicySnapshot snapshot) {
    Arms.checkPolicy(snapshot, name);
    stats.clear();
    for (String m : Arms.armsIn(snapshot)) {
      stats.put(m, snapshot.parameter(Arms.key(m, "stats")).clone());
    }
    total = (long) Arms.scalar(snapshot.parameters(), "total");
    episodes = snapshot.episodes();
  }
}
