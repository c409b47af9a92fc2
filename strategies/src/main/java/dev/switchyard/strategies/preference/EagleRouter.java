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
import dev.switchyard.strategies.ml.Elo;
import dev.switchyard.strategies.ml.KnnIndex;
import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Eagle (Zhao et al., "Eagle: Efficient Training-Free Router for Multi-LLM Inference", arXiv 2409.15518): a
 * training-free router combining a global Elo rating of each model, from every recorded battle (all model pairs of
 * every training query, ties as draws, in a seeded order, factor {@code K}), with a local Elo computed only from the
 * battles on the query's {@code N} nearest training queries: {@code R_m(q) = P R_m^global + (1 - P) R_m^local(q)}.
 * Ratings become quality estimates as each model's expected score against the others; routing picks
 * {@code argmax_m E_m(q) - lambda c_m / C}. New feedback only appends battles, so updates are cheap, as in the paper.
 */
public final class EagleRouter extends UtilityRouter {
  private static final double INITIAL = 1000;
  private final int neighbours;
  private final double globalShare;
  private final double globalK;
  private final double localK;
  private KnnIndex index;
  private double[] global;

  public EagleRouter() {
    this(512, 20, 0.5, 4, 16);
  }

  public EagleRouter(int hashDimension, int neighbours, double globalShare, double globalK, double localK) {
    super(hashDimension);
    if (neighbours < 1 || !(globalShare >= 0 && globalShare <= 1) || !(globalK > 0) || !(localK > 0)) {
      throw new IllegalArgumentException("need neighbours >= 1, globalShare in [0,1], K > 0; got " + neighbours
          + ", " + globalShare + ", " + globalK + ", " + localK);
    }
    this.neighbours = neighbours;
    this.globalShare = globalShare;
    this.globalK = globalK;
    this.localK = localK;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("eagle",
        "Zhao et al., Eagle: Efficient Training-Free Router for Multi-LLM Inference, arXiv 2409.15518",
        Dimensions.of(When.PRE_GENERATION, How.UNSUPERVISED, Signal.QUERY, Signal.MODEL_METADATA, Signal.FEEDBACK),
        "battles derived from recorded correctness (pairs of models on a query) instead of human preferences; "
            + "neighbours by TF-IDF cosine instead of a pretrained embedding; cost-aware choice via the utility");
  }

  @Override
  protected void fitEstimator(RecordedDataset train, TrainingSet set, StrategyContext context) {
    index = new KnnIndex(set.tfidfRows());
    List<Elo.Game> games = new ArrayList<>();
    for (double[] scores : set.scores()) {
      games.addAll(Battles.games(scores));
    }
    Collections.shuffle(games, new Random(context.seed()));
    global = Elo.ratings(set.models().size(), games, globalK, INITIAL);
  }

  public double[] globalRatings() {
    requireFitted();
    return global.clone();
  }

  /** The combined rating {@code P global + (1 - P) local} of every model for a query. */
  public double[] ratings(String text, String task) {
    requireFitted();
    return combined(encoder.encode(text, task));
  }

  @Override
  protected double[] estimateQuality(QueryEncoder.Encoded query) {
    double[] r = combined(query);
    double[] q = new double[r.length];
    for (int a = 0; a < r.length; a++) {
      double s = 0;
      for (int b = 0; b < r.length; b++) {
        if (a != b) {
          s += Elo.expected(r[a], r[b]);
        }
      }
      q[a] = r.length > 1 ? s / (r.length - 1) : 1.0;
    }
    return q;
  }

  private double[] combined(QueryEncoder.Encoded query) {
    List<Elo.Game> games = new ArrayList<>();
    // most similar last, so the closest neighbours' battles weigh most in the sequential update
    List<KnnIndex.Neighbour> nearest = new ArrayList<>(index.nearest(query.tfidf(), neighbours, -1));
    Collections.reverse(nearest);
    for (KnnIndex.Neighbour nb : nearest) {
      games.addAll(Battles.games(training.scores()[nb.index()]));
    }
    double[] local = Elo.ratings(global.length, games, localK, INITIAL);
    double[] r = new double[global.length];
    for (int m = 0; m < r.length; m++) {
      r[m] = globalShare * global[m] + (1 - globalShare) * local[m];
    }
    return r;
  }
}
