package dev.switchyard.strategies.preference;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.difficulty.StrongWeakRouter;
import dev.switchyard.strategies.difficulty.TrainingSet;
import dev.switchyard.strategies.ml.BradleyTerry;
import dev.switchyard.strategies.ml.KnnIndex;
import dev.switchyard.strategies.ml.QueryEncoder;

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
  // training queries grouped by their score vector: the weighted win matrix is a sum over distinct patterns
  private double[][] patternWins;
  private int[] patternOf;

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
    java.util.Map<java.util.List<Double>, Integer> patterns = new java.util.LinkedHashMap<>();
    java.util.List<double[]> wins = new java.util.ArrayList<>();
    patternOf = new int[set.size()];
    for (int i = 0; i < set.size(); i++) {
      double[] row = set.scores()[i];
      java.util.List<Double> key = java.util.Arrays.stream(row).boxed().toList();
      Integer p = patterns.get(key);
      if (p == null) {
        p = patterns.size();
        patterns.put(key, p);
        wins.add(Battles.winMatrix(row));
      }
      patternOf[i] = p;
    }
    patternWins = wins.toArray(double[][]::new);
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
    double[] patternWeight = new double[patternWins.length];
    double total = 0;
    for (int i = 0; i < sims.length; i++) {
      if (i != exclude) {
        double w = Math.pow(gamma, 1 + (max > 0 ? sims[i] / max : 0));
        patternWeight[patternOf[i]] += w;
        total += w;
      }
    }
    // rescale so the weights sum to the number of battles: the prior then has the same pull at any gamma
    double scale = (sims.length - (exclude >= 0 ? 1 : 0)) / total;
    double[] wins = new double[models * models];
    for (int p = 0; p < patternWins.length; p++) {
      if (patternWeight[p] > 0) {
        Battles.accumulate(wins, patternWins[p], patternWeight[p] * scale);
      }
    }
    double[] xi = BradleyTerry.fit(Battles.square(wins, models), 1e-3, null);
    return 1.0 / (1.0 + Math.exp(xi[weak] - xi[strong]));
  }
}
