package dev.switchyard.strategies.routers;

import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.BradleyTerry;
import dev.switchyard.strategies.ml.KnnIndex;

/**
 * RouteLLM's similarity-weighted (SW) ranking router (Ong et al., arXiv 2406.18665, §4.1): for a query q, every
 * training battle i is weighted by {@code w_i = gamma^(1 + S_i / max_j S_j)}, where {@code S_i} is the cosine
 * similarity of q to battle i's prompt, and a weighted Bradley-Terry fit gives query-specific strengths
 * {@code xi(q)}; the score is {@code P(strong beats weak | q) = sigmoid(xi_strong - xi_weak)}, thresholded at the
 * calibrated strong-call share. Battles are every model pair of every training query (ties as half wins).
 * Calibration scores on the training split are leave-one-out (a query's own battles are left out).
 */
public final class RouteLlmSwRouter extends StrongWeakRouter {
  private final double gamma;
  private KnnIndex index;
  private double[][] winMatrices;

  public RouteLlmSwRouter() {
    this(512, 10.0);
  }

  public RouteLlmSwRouter(int hashDimension, double gamma) {
    super(hashDimension);
    if (!(gamma > 1)) {
      throw new IllegalArgumentException("gamma must be > 1, got " + gamma);
    }
    this.gamma = gamma;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("routellm-sw",
        "Ong et al., RouteLLM: Learning to Route LLMs with Preference Data, arXiv 2406.18665 (similarity-weighted ranking)",
        Dimensions.of(When.PRE_GENERATION, How.SUPERVISED, Signal.QUERY, Signal.MODEL_METADATA),
        "battles derived from recorded correctness instead of Chatbot Arena votes; similarity by TF-IDF cosine "
            + "instead of text-embedding-3-small; strong = best single training model, weak = best model at <= 10% "
            + "of its cost");
  }

  @Override
  protected void fitScorer(RecordedDataset train, TrainingSet set, StrategyContext context) {
    index = new KnnIndex(set.tfidfRows());
    winMatrices = new double[set.size()][];
    for (int i = 0; i < set.size(); i++) {
      winMatrices[i] = Battles.winMatrix(set.scores()[i]);
    }
  }

  @Override
  protected double strongScore(QueryEncoder.Encoded query) {
    return score(query.tfidf(), -1);
  }

  @Override
  protected double[] trainingScores() {
    double[] s = new double[training.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = score(training.queries().get(i).tfidf(), i);
    }
    return s;
  }

  private double score(double[] tfidf, int exclude) {
    int models = training.models().size();
    double[] sims = index.similarities(tfidf);
    double max = 0;
    for (int i = 0; i < sims.length; i++) {
      if (i != exclude) {
        max = Math.max(max, sims[i]);
      }
    }
    double[] wins = new double[models * models];
    double total = 0;
    double[] w = new double[sims.length];
    for (int i = 0; i < sims.length; i++) {
      if (i != exclude) {
        w[i] = Math.pow(gamma, 1 + (max > 0 ? sims[i] / max : 0));
        total += w[i];
      }
    }
    // rescale so the weights sum to the number of battles: the prior then has the same pull at any gamma
    double scale = (sims.length - (exclude >= 0 ? 1 : 0)) / total;
    for (int i = 0; i < sims.length; i++) {
      if (w[i] > 0) {
        Battles.accumulate(wins, winMatrices[i], w[i] * scale);
      }
    }
    double[] xi = BradleyTerry.fit(Battles.square(wins, models), 1e-3, null);
    return 1.0 / (1.0 + Math.exp(xi[weak] - xi[strong]));
  }
}
