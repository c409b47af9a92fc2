package dev.switchyard.strategies.preference;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.difficulty.TrainingSet;
import dev.switchyard.strategies.difficulty.UtilityRouter;
import dev.switchyard.strategies.ml.BradleyTerry;
import dev.switchyard.strategies.ml.KnnIndex;
import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.List;

/**
 * P2L, prompt-to-leaderboard (Frick et al., "Prompt-to-Leaderboard", arXiv 2502.14855): a prompt-specific
 * Bradley-Terry leaderboard {@code beta(q)} with {@code P(a beats b | q) = sigmoid(beta_a(q) - beta_b(q))}. The
 * paper trains an LLM to output {@code beta(q)}; here {@code beta(q)} is a kernel-weighted Bradley-Terry fit: the
 * battles of q's {@code k} nearest training queries (every model pair per query, ties as half wins) weighted by
 * {@code exp((sim_i - sim_max) / tau)} and rescaled to {@code k} games' worth, with a Gaussian prior of precision
 * {@code rho} centred on the global leaderboard fitted on all training battles. The leaderboard becomes a quality
 * estimate as each model's expected win rate against the others, and routing picks
 * {@code argmax_m winrate_m(q) - lambda c_m / C} (the paper's cost-constrained router maximises the same win
 * rate under a cost budget).
 */
public final class P2lRouter extends UtilityRouter {
  private final int k;
  private final double temperature;
  private final double priorPrecision;
  private KnnIndex index;
  private double[][] winMatrices;
  private double[] global;

  public P2lRouter() {
    this(512, 48, 0.05, 0.5);
  }

  public P2lRouter(int hashDimension, int k, double temperature, double priorPrecision) {
    super(hashDimension);
    if (k < 1 || !(temperature > 0) || !(priorPrecision > 0)) {
      throw new IllegalArgumentException("need k >= 1, temperature > 0, priorPrecision > 0; got " + k + ", "
          + temperature + ", " + priorPrecision);
    }
    this.k = k;
    this.temperature = temperature;
    this.priorPrecision = priorPrecision;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("p2l",
        "Frick et al., Prompt-to-Leaderboard, arXiv 2502.14855",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "prompt-specific Bradley-Terry coefficients from a kernel-weighted fit over the nearest training prompts' "
            + "battles (derived from recorded correctness) instead of an LLM regressing the coefficients");
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    int models = set.models().size();
    index = new KnnIndex(set.tfidfRows());
    winMatrices = new double[set.size()][];
    double[] all = new double[models * models];
    for (int i = 0; i < set.size(); i++) {
      winMatrices[i] = Battles.winMatrix(set.scores()[i]);
      Battles.accumulate(all, winMatrices[i], 1.0);
    }
    global = BradleyTerry.fit(Battles.square(all, models), 1e-3, null);
  }

  /** The prompt's leaderboard: Bradley-Terry coefficients per model (training order). */
  public double[] coefficients(String text, String task) {
    requireFitted();
    return leaderboard(encoder.encode(text, task));
  }

  /** The leaderboard of all training prompts together. */
  public double[] globalCoefficients() {
    requireFitted();
    return global.clone();
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    return Battles.expectedWinRate(leaderboard(query));
  }

  private double[] leaderboard(QueryEncoder.Encoded query) {
    int models = training.models().size();
    List<KnnIndex.Neighbour> nearest = index.nearest(query.tfidf(), k, -1);
    double top = nearest.get(0).similarity();
    double[] w = new double[nearest.size()];
    double total = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.exp((nearest.get(i).similarity() - top) / temperature);
      total += w[i];
    }
    double[] wins = new double[models * models];
    for (int i = 0; i < w.length; i++) {
      Battles.accumulate(wins, winMatrices[nearest.get(i).index()], w[i] * nearest.size() / total);
    }
    return BradleyTerry.fit(Battles.square(wins, models), priorPrecision, global);
  }
}
