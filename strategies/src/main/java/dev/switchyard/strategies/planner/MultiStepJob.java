package dev.switchyard.strategies.planner;

import dev.switchyard.strategies.data.RecordedQuery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A multi-step agentic job in simulation: a sequence of recorded queries standing for its subtasks. The job
 * succeeds when every step's answer succeeds (score at least {@link #STEP_SUCCESS}), so an allocation's success
 * and cost are measured on real recorded outcomes.
 */
public record MultiStepJob(String id, List<RecordedQuery> steps) {
  public static final double STEP_SUCCESS = 0.5;

  public MultiStepJob {
    Objects.requireNonNull(id, "id");
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("job " + id + " has no steps");
    }
  }

  /**
   * {@code count} jobs of {@code minSteps..maxSteps} steps, drawn with a seeded generator from {@code pool}
   * without repeating a query within a job (queries may recur across jobs).
   */
  public static List<MultiStepJob> sample(List<RecordedQuery> pool, int count, int minSteps, int maxSteps,
      long seed, String prefix) {
    if (count < 0 || minSteps < 1 || maxSteps < minSteps || maxSteps > pool.size()) {
      throw new IllegalArgumentException("cannot build " + count + " jobs of " + minSteps + ".." + maxSteps
          + " steps from " + pool.size() + " queries");
    }
    Random rnd = new Random(seed);
    List<MultiStepJob> jobs = new ArrayList<>();
    List<RecordedQuery> shuffled = new ArrayList<>(pool);
    for (int j = 0; j < count; j++) {
      int n = minSteps + rnd.nextInt(maxSteps - minSteps + 1);
      Collections.shuffle(shuffled, rnd);
      jobs.add(new MultiStepJob(prefix + "-" + j, shuffled.subList(0, n)));
    }
    return jobs;
  }
}
