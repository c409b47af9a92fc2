package dev.switchyard.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.planner.MultiStepJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgenticJobsTest {
  private static RecordedDataset data(int n) {
    List<RecordedQuery> qs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      qs.add(new RecordedQuery("q" + i, "qa", "test", "question " + i,
          Map.of("m", new RecordedOutcome(i % 2, 1e-5, 1, 1, 1, Double.NaN, "a"))));
    }
    return new RecordedDataset("d", List.of("m"), qs, true);
  }

  @Test
  void sameSeedBuildsTheSameJobsAndAnotherSeedOthers() {
    RecordedDataset d = data(30);
    List<MultiStepJob> a = AgenticJobs.build(d, 10, 2, 4, 5);
    assertEquals(a, AgenticJobs.build(d, 10, 2, 4, 5));
    assertNotEquals(a, AgenticJobs.build(d, 10, 2, 4, 6));
    for (MultiStepJob j : a) {
      assertTrue(j.steps().size() >= 2 && j.steps().size() <= 4, "steps " + j.steps().size());
    }
  }

  @Test
  void stepQueryCarriesTheJobIdStepIndexTaskAndBudget() {
    MultiStepJob job = AgenticJobs.build(data(10), 1, 3, 3, 1).get(0);
    var q = AgenticJobs.stepQuery(job, 2, Budget.rounds(2));
    assertEquals(job.id() + "/2", q.id());
    assertEquals(job.steps().get(2).prompt(), q.text());
    assertEquals("qa", q.task());
    assertEquals(2, q.budget().maxRounds());
  }

  @Test
  void tooManyStepsForThePoolIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgenticJobs.build(data(3), 1, 2, 5, 1));
    assertTrue(e.getMessage().contains("from 3 queries"), e.getMessage());
  }
}
