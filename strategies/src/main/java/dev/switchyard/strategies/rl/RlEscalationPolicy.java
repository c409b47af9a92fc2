package dev.switchyard.strategies.rl;

import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.Dimensions.How;
import dev.switchyard.strategies.Dimensions.Signal;
import dev.switchyard.strategies.Dimensions.When;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.bandit.Seeds;
import dev.switchyard.strategies.cascade.ConfidenceCascade;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.data.Replay;
import dev.switchyard.strategies.pipeline.Aggregation;
import dev.switchyard.strategies.pipeline.Escalation;
import dev.switchyard.strategies.pipeline.RouteDecision;
import dev.switchyard.strategies.pipeline.ThreeStagePipeline;
import dev.switchyard.strategies.planner.ResponseSignals;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Budget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * An RL escalation policy over response-level signals (the survey's §10 open gap, Moslem &amp; Kelleher, arXiv
 * 2603.04445: escalation decided by a learned policy rather than a fixed threshold). After each answer of a
 * cost-ordered chain the state is {@code (k, b, g)}: the chain position of the answering model, the decile of
 * its calibrated confidence, and whether its answer agrees with an earlier one (none / agrees / disagrees).
 * Actions: accept, escalate to the next model, aggregate (confidence-weighted vote, once two answers exist).
 * Return {@code R = correctness - lambda * total cost / costScale}. Training is every-visit Monte Carlo
 * control with epsilon-greedy exploration on replayed training queries: {@code Q(s,a)} is the mean return
 * observed after taking {@code a} in {@code s}; the served policy is greedy in {@code Q} (actions never tried
 * in a state are not chosen; a state never visited accepts).
 */
public final class RlEscalationPolicy implements Strategy {
  private static final double[] TRADEOFFS = {0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5};
  static final int BINS = 10;
  static final int ACCEPT = 0;
  static final int ESCALATE = 1;
  static final int AGGREGATE = 2;
  private final int epochs;
  private final double epsilon;
  private List<String> chain = List.of();
  private List<ModelCard> cards = List.of();
  private ResponseSignals signals;
  private RecordedDataset train;
  private long seed;
  private final Map<Double, double[][]> tables = new TreeMap<>();

  public RlEscalationPolicy(int epochs, double epsilon) {
    if (epochs < 1 || !(epsilon >= 0 && epsilon <= 1)) {
      throw new IllegalArgumentException("need epochs >= 1 and epsilon in [0, 1], got " + epochs + ", " + epsilon);
    }
    this.epochs = epochs;
    this.epsilon = epsilon;
  }

  public RlEscalationPolicy() {
    this(20, 0.2);
  }

  @Override
  public StrategyInfo info() {
    return new StrategyInfo("rl-escalation", "Moslem & Kelleher, arXiv 2603.04445 §10 (learned escalation);"
        + " Monte Carlo control (Sutton & Barto, ch. 5)",
        Dimensions.of(When.POST_GENERATION, How.RL_POLICY, Signal.RESPONSE, Signal.MODEL_METADATA),
        "tabular state of chain position, confidence decile and answer agreement");
  }

  @Override
  public synchronized void fit(RecordedDataset trainSplit, StrategyContext context) {
    this.train = trainSplit;
    this.chain = ConfidenceCascade.efficientChain(trainSplit);
    this.cards = ModelCatalog.fromRecorded(trainSplit);
    this.signals = ResponseSignals.fit(trainSplit);
    this.seed = context.seed();
    tables.clear();
  }

  public List<String> chain() {
    return chain;
  }

  @Override
  public double[] tradeoffs() {
    return TRADEOFFS.clone();
  }

  static int stateIndex(int position, double confidence, int agreement) {
    int bin = Math.min(BINS - 1, Math.max(0, (int) Math.floor(confidence * BINS)));
    return (position * BINS + bin) * 3 + agreement;
  }

  /** 0 = only one answer so far, 1 = the last answer agrees with an earlier one, 2 = it disagrees with all. */
  static int agreement(List<Response> answers) {
    if (answers.size() < 2) {
      return 0;
    }
    Response last = answers.get(answers.size() - 1);
    String key = Aggregation.normalise(last.text());
    for (int i = 0; i < answers.size() - 1; i++) {
      if (Aggregation.normalise(answers.get(i).text()).equals(key)) {
        return 1;
      }
    }
    return 2;
  }

  private int state(PlanState s) {
    List<Response> answers = s.responses();
    Response last = answers.get(answers.size() - 1);
    int position = Math.max(0, chain.indexOf(last.modelId()));
    return stateIndex(position, signals.confidence(s, last), agreement(answers));
  }

  private List<Integer> legal(PlanState s) {
    List<Integer> a = new ArrayList<>();
    a.add(ACCEPT);
    Response last = s.lastResponse().orElseThrow();
    int position = chain.indexOf(last.modelId());
    if (position >= 0 && position + 1 < chain.size() && !s.budgetExhausted()) {
      a.add(ESCALATE);
    }
    if (s.responses().size() >= 2) {
      a.add(AGGREGATE);
    }
    return a;
  }

  /** Q-values [sum, count] per state-action, trained on first use at this trade-off. */
  synchronized double[][] table(double lambda) {
    if (train == null) {
      throw new IllegalStateException("rl-escalation: fit() must run before planner()");
    }
    return tables.computeIfAbsent(lambda, this::trainTable);
  }

  private double[][] trainTable(double lambda) {
    int states = chain.size() * BINS * 3;
    double[][] q = new double[states * 3][2];
    Map<String, ModelCard> byId = new HashMap<>();
    cards.forEach(c -> byId.put(c.id(), c));
    Random rnd = new Random(Seeds.mix(seed, "rl-escalation/" + lambda));
    List<RecordedQuery> order = new ArrayList<>(train.queries());
    for (int epoch = 0; epoch < epochs; epoch++) {
      Collections.shuffle(order, rnd);
      for (RecordedQuery rq : order) {
        Query query = new Query(rq.id(), List.of(ChatMessage.user(rq.prompt())), rq.task(), Budget.unlimited());
        PlanState s = PlanState.start(query, cards)
            .with(Attempt.answered(Replay.response(rq, chain.get(0), byId.get(chain.get(0)), null)));
        List<int[]> visited = new ArrayList<>();
        String answerModel;
        while (true) {
          int st = state(s);
          List<Integer> legal = legal(s);
          int a = rnd.nextDouble() < epsilon ? legal.get(rnd.nextInt(legal.size())) : greedy(q, st, legal);
          visited.add(new int[] {st, a});
          if (a == ESCALATE) {
            String next = chain.get(chain.indexOf(s.lastResponse().orElseThrow().modelId()) + 1);
            s = s.with(Attempt.answered(Replay.response(rq, next, byId.get(next), null)));
            continue;
          }
          final PlanState fs = s;
          answerModel = a == ACCEPT ? s.lastResponse().orElseThrow().modelId()
              : Aggregation.weightedVote(s.responses(), r -> signals.confidence(fs, r)).modelId();
          break;
        }
        double ret = rq.outcome(answerModel).score() - lambda * s.spentUsd() / signals.costScale();
        for (int[] v : visited) {
          q[v[0] * 3 + v[1]][0] += ret;
          q[v[0] * 3 + v[1]][1] += 1;
        }
      }
    }
    return q;
  }

  static int greedy(double[][] q, int state, List<Integer> legal) {
    int best = -1;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int a : legal) {
      double[] e = q[state * 3 + a];
      if (e[1] > 0 && e[0] / e[1] > bestValue) {
        best = a;
        bestValue = e[0] / e[1];
      }
    }
    return best < 0 ? ACCEPT : best;
  }

  @Override
  public Planner planner(double tradeoff) {
    if (tradeoff < 0) {
      throw new IllegalArgumentException("rl-escalation trade-off is a cost weight >= 0, got " + tradeoff);
    }
    double[][] q = table(tradeoff);
    RouteDecision route = new RouteDecision(chain, Double.NaN, "rl-escalation chain");
    return new ThreeStagePipeline(state -> route, signals::confidence, (state, confidence, r) -> {
      int a = greedy(q, state(state), legal(state));
      if (a == ESCALATE) {
        int position = chain.indexOf(state.lastResponse().orElseThrow().modelId());
        return new Escalation.EscalateTo(chain.get(position + 1));
      }
      return a == AGGREGATE ? new Escalation.Aggregate() : Escalation.accept();
    });
  }
}
