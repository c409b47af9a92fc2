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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * TI-UCB (Xia et al., "Which LLM to Play? Convergence-Aware Online Model Selection with Time-Increasing
 * Bandits", arXiv 2403.07213): UCB whose arms may change over time, with change detection and reset.
 *
 * <p>Each arm keeps the rewards since its last reset (count {@code n}, sum) and a window of its last {@code w}
 * rewards. After each update with {@code n >= 2w}, the window mean {@code m1} is compared with the mean
 * {@code m0} of the older rewards since the reset; if {@code |m1 - m0| > range * sqrt(ln(2/delta)/2 *
 * (1/w + 1/(n-w)))} (a two-sample Hoeffding bound) a change is declared and the arm forgets everything but its
 * window. Arms then score {@code mean + c * range * sqrt(2 ln N / n)} as in UCB1; untried arms go first.
 * Detects drops (a model degrades) and rises (a model is improved, the paper's time-increasing case) alike.
 */
public final class TiUcbBandit extends OnlineLearnerBase {
  private final RewardModel reward;
  private final double exploration;
  private final int window;
  private final double delta;
  private final Map<String, ArmState> arms = new TreeMap<>();
  private long changes;

  public TiUcbBandit(String name, RewardModel reward, double exploration, int window, double delta) {
    super(name);
    if (window < 2 || !(delta > 0 && delta < 1) || exploration < 0) {
      throw new IllegalArgumentException("TI-UCB needs window >= 2, 0 < delta < 1, exploration >= 0; got window="
          + window + " delta=" + delta + " exploration=" + exploration);
    }
    this.reward = reward;
    this.exploration = exploration;
    this.window = window;
    this.delta = delta;
  }

  private static final class ArmState {
    double n;
    double sum;
    final Deque<Double> recent = new ArrayDeque<>();
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), "Xia et al., Which LLM to Play? (TI-UCB), arXiv 2403.07213",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.FEEDBACK, Signal.MODEL_METADATA),
        "change detection is a two-window Hoeffding test with reset instead of the paper's fitted"
            + " increasing-then-converging reward curve");
  }

  @Override
  public Planner planner() {
    return ThreeStagePipeline.routeOnly(state -> {
      synchronized (this) {
        return Arms.rank(Arms.available(state), this::ucb, "ti-ucb");
      }
    });
  }

  private double ucb(String arm) {
    ArmState s = arms.get(arm);
    if (s == null || s.n == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double total = arms.values().stream().mapToDouble(a -> a.n).sum();
    return s.sum / s.n + exploration * reward.range() * Math.sqrt(2 * Math.log(Math.max(1, total)) / s.n);
  }

  @Override
  protected boolean update(Episode episode) {
    double r = reward.of(episode);
    if (Double.isNaN(r) || episode.answerModel() == null) {
      return false;
    }
    observe(episode.answerModel(), r);
    return true;
  }

  /** Adds one reward to an arm; returns true if it triggered a change (and a reset). */
  boolean observe(String arm, double r) {
    ArmState s = arms.computeIfAbsent(arm, k -> new ArmState());
    s.n += 1;
    s.sum += r;
    s.recent.addLast(r);
    if (s.recent.size() > window) {
      s.recent.removeFirst();
    }
    if (s.n < 2.0 * window) {
      return false;
    }
    double recentSum = s.recent.stream().mapToDouble(Double::doubleValue).sum();
    double m1 = recentSum / window;
    double m0 = (s.sum - recentSum) / (s.n - window);
    double bound = reward.range() * Math.sqrt(Math.log(2 / delta) / 2 * (1.0 / window + 1.0 / (s.n - window)));
    if (Math.abs(m1 - m0) > bound) {
      s.n = window;
      s.sum = recentSum;
      changes++;
      return true;
    }
    return false;
  }

  /** Changes detected so far, over all arms. */
  public synchronized long changesDetected() {
    return changes;
  }

  public synchronized double meanReward(String arm) {
    ArmState s = arms.get(arm);
    return s == null || s.n == 0 ? Double.NaN : s.sum / s.n;
  }

  @Override
  protected void writeParameters(Map<String, double[]> p) {
    arms.forEach((m, s) -> {
      p.put(Arms.key(m, "stats"), new double[] {s.n, s.sum});
      p.put(Arms.key(m, "window"), s.recent.stream().mapToDouble(Double::doubleValue).toArray());
    });
    p.put("changes", new double[] {changes});
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    arms.clear();
    for (String m : Arms.armsIn(snapshot)) {
      double[] st = snapshot.parameter(Arms.key(m, "stats"));
      double[] w = snapshot.parameter(Arms.key(m, "window"));
      if (w.length > window) {
        throw new IllegalArgumentException("snapshot window of " + m + " holds " + w.length + " rewards, this"
            + " learner's window is " + window);
      }
      ArmState s = new ArmState();
      s.n = st[0];
      s.sum = st[1];
      for (double v : w) {
        s.recent.addLast(v);
      }
      arms.put(m, s);
    }
    changes = (long) Arms.scalar(snapshot.parameters(), "changes");
  }
}
