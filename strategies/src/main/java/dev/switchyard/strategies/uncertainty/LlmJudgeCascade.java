package dev.switchyard.strategies.uncertainty;

import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.cascade.support.Cascades;
import dev.switchyard.strategies.cascade.support.ModelStats;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * LLM-as-a-judge verification in a cascade (Zheng et al., "Judging LLM-as-a-Judge with MT-Bench and Chatbot
 * Arena", arXiv 2306.05685; the survey's judge-based verifiers). Along the cost-efficient chain, each answer
 * but the last is sent to a judge model (a real, billed call with the grading prompt of {@link Judge}); the
 * {@link LlmJudgeVerifier} turns the verdict into {@code p = P(correct | verdict, model)}, and the answer is
 * accepted if {@code p >= tau}, else the next model is called. The judge is skipped when neither verdict
 * could change the decision (both calibrated probabilities on the same side of {@code tau}). The judge's own answers are not judged (a
 * model cannot usefully grade itself): they are accepted when the model's prior accuracy reaches {@code tau}.
 * {@code tau} is the trade-off.
 *
 * <p>The judge model defaults to the most accurate model costing at most a quarter of the most accurate
 * model's mean cost (a judge must be cheap to pay off). In replay the judge is {@link Judge.RecordedAgreement}
 * and its call is billed at the judge model's recorded cost of answering the question; a live deployment
 * passes {@link Judge.YesNo} (or its own {@link Judge}) and, ideally, a verdict calibration learned from its
 * judge's logged verdicts.
 */
public final class LlmJudgeCascade implements Strategy {
  private final Judge judge;
  private final String requestedJudgeModel;
  private List<String> chain = List.of();
  private LlmJudgeVerifier verifier;

  public LlmJudgeCascade() {
    this(new Judge.RecordedAgreement(), null);
  }

  /** @param judgeModel the judge's model id, or null to choose it on the training split */
  public LlmJudgeCascade(Judge judge, String judgeModel) {
    this.judge = Objects.requireNonNull(judge, "judge");
    this.requestedJudgeModel = judgeModel;
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("llm-judge",
        "Zheng et al., Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena, arXiv 2306.05685",
        Dimensions.of(When.POST_GENERATION, How.SUPERVISED, Signal.RESPONSE, Signal.MODEL_METADATA),
        "in replay the judge's verdict is whether the judge model's recorded answer agrees with the candidate "
            + "(billed at the judge model's recorded cost); verdicts calibrated per candidate model on train");
  }

  @Override
  public void fit(RecordedDataset train, StrategyContext context) {
    ModelStats stats = ModelStats.of(train);
    chain = stats.efficientChain();
    String judgeModel = requestedJudgeModel != null ? requestedJudgeModel : chooseJudge(stats);
    if (!train.models().contains(judgeModel)) {
      throw new IllegalArgumentException("judge model " + judgeModel + " is not in the recorded models "
          + train.models());
    }
    Map<String, LlmJudgeVerifier.VerdictCalibration> calibration = new HashMap<>();
    for (String m : train.models()) {
      double[] approvedCorrect = new double[2];
      double[] rejectedCorrect = new double[2];
      for (RecordedQuery q : train.queries()) {
        Response candidate = replayed(q, m);
        Response reply = replayed(q, judgeModel);
        double score = q.outcome(m).score();
        double[] bucket = judge.approves(candidate, reply) ? approvedCorrect : rejectedCorrect;
        bucket[0] += score;
        bucket[1] += 1;
      }
      double ifApproved = (approvedCorrect[0] + 1) / (approvedCorrect[1] + 2);
      double ifRejected = (rejectedCorrect[0] + 1) / (rejectedCorrect[1] + 2);
      // The prior is the verdict-weighted mixture, so it always lies between the two calibrated verdicts.
      double prior = (approvedCorrect[1] * ifApproved + rejectedCorrect[1] * ifRejected)
          / Math.max(1, approvedCorrect[1] + rejectedCorrect[1]);
      calibration.put(m, new LlmJudgeVerifier.VerdictCalibration(ifApproved, ifRejected, prior));
    }
    verifier = new LlmJudgeVerifier(judgeModel, judge, calibration);
  }

  /** A recorded answer as a response, without its recorded correctness. */
  private static Response replayed(RecordedQuery q, String model) {
    var o = q.outcome(model);
    return new Response(model, o.answer(), o.inTokens(), o.outTokens(), 0, o.costUsd(), 0,
        o.hasConfidence() ? o.confidence() : null, null, null);
  }

  static String chooseJudge(ModelStats stats) {
    double limit = stats.cost(stats.best()) / 4;
    return stats.models().stream().filter(m -> stats.cost(m) <= limit)
        .max(Comparator.comparingDouble(stats::quality)).orElse(stats.best());
  }

  public LlmJudgeVerifier verifier() {
    if (verifier == null) {
      throw new IllegalStateException("llm-judge: fit() must run first");
    }
    return verifier;
  }

  public List<String> chain() {
    return chain;
  }

  @Override
  public double[] tradeoffs() {
    return Cascades.unitGrid(20);
  }

  @Override
  public Planner planner(double threshold) {
    LlmJudgeVerifier v = verifier();
    Cascades.requireUnit("threshold", threshold);
    List<String> fullChain = chain;
    return state -> next(state, ModelStats.deployed(fullChain, state), v, threshold);
  }

  private PlanAction next(PlanState state, List<String> chain, LlmJudgeVerifier v, double threshold) {
    List<Decision> trace = new ArrayList<>();
    List<Attempt> attempts = state.attempts();
    List<Attempt> candidates = attempts.stream().filter(a -> !v.isJudgeCall(a)).toList();
    List<String> asked = candidates.stream().map(Attempt::modelId).toList();
    String nextModel = chain.stream().filter(m -> !asked.contains(m)).findFirst().orElse(null);
    if (attempts.isEmpty()) {
      trace.add(Decision.of(Stage.PRE_ROUTE, nextModel, "judge cascade", Double.NaN));
      return PlanAction.Route.to(nextModel, trace);
    }
    Attempt last = attempts.get(attempts.size() - 1);
    Attempt candidate = candidates.isEmpty() ? null : candidates.get(candidates.size() - 1);
    boolean judged = v.isJudgeCall(last);
    if (candidate == null || !candidate.succeeded()) {
      return routeOrBest(state, v, nextModel, trace, "candidate failed");
    }
    Response answer = candidate.response();
    boolean lastOfChain = nextModel == null;
    boolean selfJudged = answer.modelId().equals(v.judgeModel());
    // A verdict is worth paying for only if it can change the decision.
    var c = v.calibration(answer.modelId());
    boolean informative = c.isPresent()
        && Math.min(c.get().ifApproved(), c.get().ifRejected()) < threshold
        && Math.max(c.get().ifApproved(), c.get().ifRejected()) >= threshold;
    if (!judged && !lastOfChain && !selfJudged && informative && !state.budgetExhausted()) {
      trace.add(Decision.of(Stage.VERIFY, v.judgeModel(), "ask judge about " + answer.modelId(), Double.NaN));
      return new PlanAction.Route(v.judgeModel(), v.judge().prompt(state.query(), answer), trace);
    }
    double p = v.confidence(state, answer);
    // Without a verdict p is the model's prior accuracy, which lies between the two calibrated verdicts, so
    // skipping an uninformative judge call does not change the decision.
    trace.add(Decision.of(Stage.VERIFY, answer.modelId(), judged ? "judge verdict" : "prior (no judge call)", p));
    if (p >= threshold || lastOfChain) {
      trace.add(Decision.of(Stage.ANSWER, answer.modelId(), "accept", p));
      return new PlanAction.Answer(answer.text(), answer.modelId(), trace);
    }
    return routeOrBest(state, v, nextModel, trace, "rejected");
  }

  private static PlanAction routeOrBest(PlanState state, LlmJudgeVerifier v, String nextModel,
      List<Decision> trace, String why) {
    if (nextModel != null && !state.budgetExhausted()) {
      trace.add(Decision.of(Stage.ESCALATE, nextModel, "escalate: " + why, Double.NaN));
      return PlanAction.Route.to(nextModel, trace);
    }
    List<Response> answers = state.attempts().stream().filter(a -> a.succeeded() && !v.isJudgeCall(a))
        .map(Attempt::response).toList();
    if (answers.isEmpty()) {
      trace.add(Decision.of(Stage.ABSTAIN, null, "no answer", Double.NaN));
      return new PlanAction.Abstain("no candidate answered", trace);
    }
    Response best = answers.stream().max(Comparator.comparingDouble(r -> v.confidence(state, r))).orElseThrow();
    trace.add(Decision.of(Stage.ANSWER, best.modelId(), "best-so-far", v.confidence(state, best)));
    return new PlanAction.Answer(best.text(), best.modelId(), trace);
  }
}
