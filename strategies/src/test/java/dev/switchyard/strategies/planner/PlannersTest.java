package dev.switchyard.strategies.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.bandit.Scripted;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Router-R1 and R2-Reasoner trained and judged on a seeded synthetic world. */
class PlannersTest {
  private static final RecordedDataset TRAIN = Synthetic.world(300, "train", 1);
  private static final RecordedDataset TEST = Synthetic.world(200, "test", 2);
  private static final List<ModelCard> CARDS = ModelCatalog.fromRecorded(TRAIN);

  /** [mean quality, mean cost, mean calls] of a planner on the test world. */
  private static double[] evaluate(Planner planner) {
    double q = 0;
    double c = 0;
    double calls = 0;
    for (RecordedQuery rq : TEST.queries()) {
      OfflineReplay.Outcome o = OfflineReplay.run(planner, rq, CARDS, Budget.unlimited(), "t", 0);
      q += o.score();
      c += o.costUsd();
      calls += o.calls().size();
    }
    return new double[] {q / TEST.size(), c / TEST.size(), calls / TEST.size()};
  }

  @Test
  void routerR1LearnsToAskTheSmallModelFirstAndEscalateWhenUnsure() {
    RouterR1 r1 = new RouterR1();
    r1.fit(TRAIN, StrategyContext.seeded(3));
    double[] r = evaluate(r1.planner(0.5));
    double[] big = evaluate(s -> dev.switchyard.strategies.plan.PlanAction.Route.to("big", List.of()));
    // Seeded; tolerances: quality within 0.05 of always-big at well under its cost.
    assertTrue(r[0] > big[0] - 0.05, "router-r1 quality " + r[0] + " vs big " + big[0]);
    assertTrue(r[1] < 0.8 * big[1], "router-r1 cost " + r[1] + " vs big " + big[1]);
  }

  @Test
  void routerR1RecordsAThinkStepAndStaysWithinItsRounds() {
    RouterR1 r1 = new RouterR1(2, 2, 4, 0.2, 0.5);
    r1.fit(TRAIN, StrategyContext.seeded(3));
    OfflineReplay.Outcome o = OfflineReplay.run(r1.planner(0.0), TEST.queries().get(1), CARDS, Budget.unlimited(),
        "t", 0);
    assertTrue(o.calls().size() <= 2);
    assertTrue(o.episode().steps().stream().anyMatch(s -> s.stage() == Stage.THINK));
  }

  @Test
  void routerR1UsesAModelAddedAfterTrainingFromItsCardAlone() {
    RouterR1 r1 = new RouterR1();
    r1.fit(TRAIN, StrategyContext.seeded(3));
    // Redeploy "small" under a new id with the same card: never seen in training, chosen from its descriptors.
    ModelCard small = CARDS.get(0);
    List<ModelCard> redeployed = List.of(new ModelCard("small-v2", small.inputUsdPerMTok(),
        small.outputUsdPerMTok(), small.contextWindow(), small.meanLatencyMs(), small.joulesPerToken(),
        small.descriptors()), CARDS.get(1));
    var query = new dev.switchyard.protocol.Query("n1", List.of(dev.switchyard.protocol.ChatMessage.user(
        Synthetic.EASY)), "qa", null);
    assertEquals("small", Scripted.firstRoute(r1.planner(0.5),
        dev.switchyard.strategies.plan.PlanState.start(query, CARDS)));
    assertEquals("small-v2", Scripted.firstRoute(r1.planner(0.5),
        dev.switchyard.strategies.plan.PlanState.start(query, redeployed)));
  }

  @Test
  void routerR1OnlineLearnerRestoresIdentically() {
    RouterR1 r1 = new RouterR1(4, 1, 4, 0.2, 0.5);
    r1.fit(TRAIN, StrategyContext.seeded(3));
    OnlineLearner driver = r1.learner(0.5, true, 0.05);
    List<dev.switchyard.protocol.Episode> eps = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      OfflineReplay.Outcome o = OfflineReplay.run(driver.planner(), TEST.queries().get(i), CARDS,
          Budget.unlimited(), "r1", 0);
      driver.learn(o.episode());
      eps.add(o.episode());
    }
    assertTrue(driver.episodesLearned() > 0);
    OnlineLearner a = r1.learner(0.5, true, 0.05);
    eps.subList(0, 20).forEach(a::learn);
    OnlineLearner b = r1.learner(0.5, true, 0.05);
    b.restore(a.snapshot(1, 0));
    for (RecordedQuery q : TEST.queries().subList(50, 70)) {
      assertEquals(OfflineReplay.run(a.planner(), q, CARDS, Budget.unlimited(), "r1", 0).calls(),
          OfflineReplay.run(b.planner(), q, CARDS, Budget.unlimited(), "r1", 0).calls());
    }
    eps.subList(20, 30).forEach(a::learn);
    eps.subList(20, 30).forEach(b::learn);
    org.junit.jupiter.api.Assertions.assertArrayEquals(a.snapshot(2, 0).parameter("theta"),
        b.snapshot(2, 0).parameter("theta"));
  }

  @Test
  void r2AllocatorTradesJobSuccessForCost() {
    R2Reasoner r2 = new R2Reasoner(200, 4, 8, 0.3);
    r2.fit(TRAIN, StrategyContext.seeded(4));
    List<MultiStepJob> jobs = MultiStepJob.sample(TEST.queries(), 50, 2, 4, 9, "j");
    double[] quality = jobStats(r2, jobs, 0.0);
    double[] cheap = jobStats(r2, jobs, 20.0);
    assertTrue(quality[0] > cheap[0], "lambda=0 success " + quality[0] + " vs lambda=20 " + cheap[0]);
    assertTrue(quality[1] > cheap[1], "lambda=0 cost " + quality[1] + " vs lambda=20 " + cheap[1]);
    assertEquals(List.of("big", "big"), r2.allocate(jobs.get(0).steps().subList(0, 2), CARDS, 0.0));
  }

  private static double[] jobStats(R2Reasoner r2, List<MultiStepJob> jobs, double lambda) {
    int ok = 0;
    double cost = 0;
    for (MultiStepJob job : jobs) {
      List<String> alloc = r2.allocate(job.steps(), CARDS, lambda);
      boolean success = true;
      for (int i = 0; i < alloc.size(); i++) {
        var o = job.steps().get(i).outcome(alloc.get(i));
        success &= o.score() >= MultiStepJob.STEP_SUCCESS;
        cost += o.costUsd();
      }
      ok += success ? 1 : 0;
    }
    return new double[] {ok / (double) jobs.size(), cost / jobs.size()};
  }

  @Test
  void multiStepJobsAreSeededAndHaveDistinctSteps() {
    List<MultiStepJob> a = MultiStepJob.sample(TEST.queries(), 20, 2, 5, 11, "j");
    List<MultiStepJob> b = MultiStepJob.sample(TEST.queries(), 20, 2, 5, 11, "j");
    assertEquals(a, b);
    for (MultiStepJob j : a) {
      assertTrue(j.steps().size() >= 2 && j.steps().size() <= 5);
      assertEquals(j.steps().size(), j.steps().stream().map(RecordedQuery::id).distinct().count());
    }
  }
}
