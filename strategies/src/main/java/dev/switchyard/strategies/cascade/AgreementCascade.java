package dev.switchyard.strategies.cascade;

import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.plan.Planner;
import java.util.Map;

/**
 * Switchyard's flagship: a cascade whose stopping rule is a learned probability that the <em>consensus</em>
 * answer is correct, with the chain and the threshold chosen per task on the training split for each cost
 * weight.
 *
 * <p>Sources: the threshold cascade of FrugalGPT (Chen, Zaharia &amp; Zou, arXiv 2305.05176) and of Zellinger
 * &amp; Thomson ("Rational Tuning of LLM Cascades via Probabilistic Modeling", arXiv 2501.09345), whose
 * per-model calibrated confidences and correlated-correctness model motivate conditioning on earlier answers;
 * answer agreement as a correctness signal is the consistency idea of Yue et al. ("Large Language Model
 * Cascades with Mixture of Thoughts Representations", arXiv 2310.03094); the joint choice of chain and stopping
 * rule by expected utility is the cascade-routing view of Dekoninck et al. ("A Unified Approach to Routing and
 * Cascading for LLMs", arXiv 2410.10347).
 *
 * <p>Rule. Per task group g (each task with at least 60 training queries, plus a pooled group
 * for unseen tasks): models are ordered by mean training cost. Each model's raw confidence x (a
 * log-probability) is calibrated per group by a logistic regression on {@code [1, x, logit(e^x)]}, giving
 * {@code p_m}; the log-odds term spreads out the log-probabilities that crowd just below 0, which a Platt
 * scaling linear in x cannot separate. After the models S have answered, the answer is the weighted vote
 * {@code argmax_a sum_{m in S, answer_m = a} p_m} (answers compared after {@link Aggregation#normalise}), and
 * its probability of being correct is
 * {@code P_S = sigmoid(w_S . [1, logit p_m, agree_m, agree_m logit p_m (m in S), vote share])}, an
 * L2-regularised logistic regression per (group, S) for every S of at most {@code maxDepth} models. A chain is
 * any cost-ordered set of at most {@code maxDepth} models; the cascade walks it and stops at the first prefix
 * with {@code P_S >= tau} (or at its end). For cost weight {@code lambda}, each group uses the (chain, tau)
 * that maximises {@code mean quality - lambda * mean cost / c_ref} on the training split, where quality is
 * computed with out-of-fold {@code P_S} ({@code folds}-fold cross-validation inside train) and {@code c_ref}
 * is the highest mean training cost of any model. Since the objective is a sum over queries, the per-group
 * choices are jointly optimal for the whole split. {@code lambda} is the trade-off swept.
 *
 * <p>With {@code useAgreement = false} the same machinery becomes the reference "confidence cascade, thresholds
 * tuned on train": the feature vector is only {@code [1, logit p_last]} and the last answer is returned.
 *
 * <p>Failures: a refused or failed call is skipped (the next chain model is tried); a model absent from the
 * training data is ignored; when no chain model is left the best answer so far is returned, and with no answer
 * at all the planner tries any untried model, then abstains.
 */
public final class AgreementCascade implements Strategy {
  private static final int LAMBDA_GRID = 400;

  private final AgreementCascadeTrainer.Settings settings;
  private FittedAgreementCascade fitted;

  private AgreementCascade(Builder b) {
    this.settings = new AgreementCascadeTrainer.Settings(b.name, b.useAgreement, b.maxDepth, b.folds, b.l2,
        b.shareStoppingModels);
  }

  /** The flagship with its default settings. */
  public static AgreementCascade flagship() {
    return builder().build();
  }

  /** The reference "confidence cascade, thresholds tuned on train": no agreement features. */
  public static AgreementCascade tunedConfidenceCascade() {
    return builder().name("baseline-tuned-cascade").useAgreement(false).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Validating builder; defaults are the flagship's. */
  public static final class Builder {
    private String name = "agreement-cascade";
    private boolean useAgreement = true;
    private int maxDepth = 4;
    private int folds = 5;
    private double l2 = 1.0;
    private boolean shareStoppingModels = false;

    public Builder name(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("name must be non-blank, got '" + value + "'");
      }
      name = value;
      return this;
    }

    public Builder useAgreement(boolean value) {
      useAgreement = value;
      return this;
    }

    public Builder maxDepth(int value) {
      if (value < 1 || value > 6) {
        throw new IllegalArgumentException("maxDepth must be in 1..6, got " + value);
      }
      maxDepth = value;
      return this;
    }

    public Builder folds(int value) {
      if (value < 2) {
        throw new IllegalArgumentException("folds must be >= 2, got " + value);
      }
      folds = value;
      return this;
    }

    public Builder l2(double value) {
      if (!(value >= 0)) {
        throw new IllegalArgumentException("l2 must be >= 0, got " + value);
      }
      l2 = value;
      return this;
    }

    /**
     * Fit one stopping model per model set on all task groups together, with a task indicator, instead of
     * one per group (more data per model, less task-specific). Off by default: no gain on validation splits
     * inside train.
     */
    public Builder shareStoppingModels(boolean value) {
      shareStoppingModels = value;
      return this;
    }

    public AgreementCascade build() {
      return new AgreementCascade(this);
    }
  }

  @Override
  public StrategyInfo info() {
    String citation = "Chen et al., FrugalGPT, arXiv 2305.05176; Zellinger & Thomson, arXiv 2501.09345; "
        + "Yue et al., arXiv 2310.03094; Dekoninck et al., arXiv 2410.10347";
    String name = settings.name();
    return settings.useAgreement()
        ? new StrategyInfo(name, citation,
            Dimensions.of(When.MULTI_STAGE, How.SUPERVISED, Signal.QUERY, Signal.RESPONSE, Signal.MODEL_METADATA),
            "task label instead of a query encoder; recorded log-probability / asked confidence calibrated per "
                + "task; agreement = equal normalised answer text; chain and threshold per task chosen by "
                + settings.maxDepth() + "-model exhaustive search with " + settings.folds() + "-fold CV inside train")
        : new StrategyInfo(name, "Chen et al., FrugalGPT, arXiv 2305.05176; Zellinger & Thomson, arXiv 2501.09345",
            Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.RESPONSE, Signal.MODEL_METADATA),
            "reference: per-task chain and single threshold on the last model's per-task calibrated confidence, "
                + "tuned on train by " + settings.folds() + "-fold CV; no agreement signal");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    fitted = new AgreementCascadeTrainer(settings).fit(train, context.seed());
  }

  /**
   * Cost weights where the policy changes: a grid of 0 and {@value #LAMBDA_GRID} log-spaced values from 1e-3
   * to 1e3 (quality per {@code c_ref} of cost), keeping only the first weight of each run of identical
   * per-group policies, so the frontier is dense and no two points replay the same planner.
   */
  @Override
  public double[] tradeoffs() {
    return requireFitted().tradeoffs(lambdaGrid(LAMBDA_GRID));
  }

  /** 0, then {@code points} log-spaced cost weights from 1e-3 to 1e3 (quality per {@code c_ref} of cost). */
  public static double[] lambdaGrid(int points) {
    double[] grid = new double[points + 1];
    for (int i = 1; i <= points; i++) {
      grid[i] = Math.pow(10, -3 + 6.0 * (i - 1) / (points - 1));
    }
    return grid;
  }

  /** The training-split policy of each group at this cost weight (for reports and tests). */
  public Map<String, String> describe(double lambda) {
    return requireFitted().describe(lambda);
  }

  private FittedAgreementCascade requireFitted() {
    if (fitted == null) {
      throw new IllegalStateException(settings.name() + ": fit() must run before planner()");
    }
    return fitted;
  }

  @Override
  public Planner planner(double lambda) {
    FittedAgreementCascade f = requireFitted();
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException(settings.name() + ": cost weight must be >= 0, got " + lambda);
    }
    return new AgreementCascadePlanner(f, lambda);
  }
}
