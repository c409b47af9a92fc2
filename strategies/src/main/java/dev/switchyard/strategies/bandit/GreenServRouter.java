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
import java.util.Map;

/**
 * GreenServ-style energy-aware routing: disjoint LinUCB (Li et al., WWW 2010) whose reward carries an energy
 * term, {@code r = score - lambda_c cost / costScale - lambda_e E / energyScale}, with
 * {@code E = joulesPerToken(model card) * tokens} as reported by the call's response. Arm {@code m} scores
 * {@code theta_m . x + alpha sqrt(x^T A_m^-1 x)}; the update is {@code A_m += x x^T, b_m += r x}.
 */
public final class GreenServRouter extends OnlineLearnerBase {
  private final ContextFeaturizer featurizer;
  private final RewardModel reward;
  private final LinUcbCore core;

  public GreenServRouter(String name, ContextFeaturizer featurizer, RewardModel reward, double ridge, double alpha) {
    super(name);
    this.featurizer = featurizer;
    this.reward = reward;
    this.core = new LinUcbCore(featurizer.dimension(), ridge, alpha);
  }

  public static GreenServRouter standard(RewardModel reward) {
    return new GreenServRouter("greenserv", ContextFeaturizer.standard(), reward, 1.0, 0.5);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo(name(), "GreenServ: energy-aware LinUCB routing (LinUCB: Li et al., WWW 2010)",
        Dimensions.of(When.ONLINE, How.BANDIT, Signal.QUERY, Signal.MODEL_METADATA, Signal.FEEDBACK),
        "energy is the model card's joules-per-token estimate times the call's tokens, not a measurement;"
            + " context = lexical cues + hashed n-grams + task instead of a pretrained encoder");
  }

  @Override
  public Planner planner() {
    return ThreeStagePipeline.routeOnly(state -> {
      LinearArm.Context x = LinearArm.Context.of(featurizer.features(state.query().text(), state.query().task()));
      synchronized (this) {
        return Arms.rank(Arms.available(state), m -> core.ucb(m, x), "greenserv linucb");
      }
    });
  }

  @Override
  protected boolean update(Episode episode) {
    double r = reward.of(episode);
    if (Double.isNaN(r) || episode.answerModel() == null) {
      return false;
    }
    core.update(episode.answerModel(), featurizer.features(episode.queryText(), episode.task()), r, 1.0);
    return true;
  }

  /** The current reward estimate of a model in a context (no exploration bonus). */
  public synchronized double estimate(String model, String text, String task) {
    return core.mean(model, featurizer.features(text, task));
  }

  @Override
  protected void writeParameters(Map<String, double[]> p) {
    core.writeTo(p);
  }

  @Override
  protected void readParameters(PolicySnapshot snapshot) {
    core.readFrom(snapshot);
  }
}
