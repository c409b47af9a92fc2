package dev.switchyard.simulator.workload;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.planner.MultiStepJob;
import java.util.List;

/**
 * Multi-step agentic jobs built from recorded outcomes: each job is a seeded draw of {@code minSteps..maxSteps}
 * distinct recorded queries of one split, standing for the job's subtasks. A job succeeds when every step
 * succeeds ({@link MultiStepJob#STEP_SUCCESS}), judged on the real recorded outcomes of the models chosen.
 * The same seed gives the same jobs.
 */
public final class AgenticJobs {
  private AgenticJobs() {}

  public static List<MultiStepJob> build(RecordedDataset split, int count, int minSteps, int maxSteps, long seed) {
    return MultiStepJob.sample(split.queries(), count, minSteps, maxSteps, seed, "job-" + seed);
  }

  /** The step's query as the engine receives it: id {@code <job>/<step>}, the task hint, the given budget. */
  public static Query stepQuery(MultiStepJob job, int step, Budget budget) {
    RecordedQuery q = job.steps().get(step);
    return new Query(job.id() + "/" + step, List.of(ChatMessage.user(q.prompt())), q.task(), budget);
  }
}
