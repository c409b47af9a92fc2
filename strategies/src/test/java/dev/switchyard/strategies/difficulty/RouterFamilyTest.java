package dev.switchyard.strategies.difficulty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Properties every member of the family must have, checked on the hand-made fixture. */
class RouterFamilyTest {
  @Test
  void familyHasFifteenDistinctlyNamedRoutersWithCitations() {
    Set<String> names = new HashSet<>();
    for (Supplier<Strategy> s : RouterFamily.members()) {
      Strategy r = s.get();
      assertTrue(names.add(r.info().name()), "duplicate name " + r.info().name());
      assertTrue(r.info().citation().contains("arXiv") || r.info().citation().contains("vllm-project"),
          r.info().name() + " cites no paper");
      assertTrue(!r.info().adaptation().isBlank(), r.info().name() + " states no adaptation");
    }
    assertEquals(15, names.size());
  }

  @Test
  void everyRouterRefusesToPlanBeforeFit() {
    for (Supplier<Strategy> s : RouterFamily.members()) {
      Strategy r = s.get();
      assertThrows(IllegalStateException.class, () -> r.planner(r.tradeoffs()[0]), r.info().name());
    }
  }

  @Test
  void everyRouterTradesQualityForCostAcrossItsTradeoffs() {
    RecordedDataset train = Fixtures.train();
    List<ModelCard> cards = Fixtures.cards();
    for (Supplier<Strategy> s : RouterFamily.members()) {
      Strategy r = s.get();
      r.fit(train, StrategyContext.seeded(1));
      double[] t = r.tradeoffs();
      double[] first = replay(r.planner(t[0]), train, cards);
      double[] last = replay(r.planner(t[t.length - 1]), train, cards);
      assertNotEquals(first[1], last[1], r.info().name() + ": both ends of the trade-off cost the same");
      double[] dear = first[1] > last[1] ? first : last;
      double[] cheap = first[1] > last[1] ? last : first;
      assertTrue(dear[0] > cheap[0], r.info().name() + ": paying more (" + dear[1] + " vs " + cheap[1]
          + ") bought no quality (" + dear[0] + " vs " + cheap[0] + ")");
    }
  }

  @Test
  void everyRouterIsAPureFunctionOfItsState() {
    RecordedDataset train = Fixtures.train();
    List<ModelCard> cards = Fixtures.cards();
    for (Supplier<Strategy> s : RouterFamily.members()) {
      Strategy a = s.get();
      Strategy b = s.get();
      a.fit(train, StrategyContext.seeded(5));
      b.fit(train, StrategyContext.seeded(5));
      double t = a.tradeoffs()[a.tradeoffs().length / 2];
      for (RecordedQuery q : train.queries()) {
        PlanState state = PlanState.start(Fixtures.ask(q.id(), q.prompt(), q.task()), cards);
        PlanAction x = a.planner(t).next(state);
        PlanAction y = b.planner(t).next(state);
        assertEquals(((PlanAction.Route) x).modelId(), ((PlanAction.Route) y).modelId(), a.info().name());
      }
    }
  }

  @Test
  void everyRouterRejectsABadTradeoff() {
    RecordedDataset train = Fixtures.train();
    for (Supplier<Strategy> s : RouterFamily.members()) {
      Strategy r = s.get();
      r.fit(train, StrategyContext.seeded(1));
      assertThrows(IllegalArgumentException.class, () -> r.planner(-1), r.info().name());
    }
  }

  /** Mean score and cost of a planner over the recorded queries. */
  static double[] replay(Planner planner, RecordedDataset data, List<ModelCard> cards) {
    double q = 0;
    double c = 0;
    for (RecordedQuery rq : data.queries()) {
      OfflineReplay.Outcome o = OfflineReplay.run(planner, rq, cards, Budget.unlimited(), "test", 0);
      q += o.score();
      c += o.costUsd();
    }
    return new double[] {q / data.size(), c / data.size()};
  }
}
