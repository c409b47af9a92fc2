package dev.switchyard.benchmarks;

import dev.switchyard.protocol.Budget;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Throughput of offline replay on one core, for a linear router and a linear bandit (the target:
 * 1,000,000 decisions/s). {@link #decision} is the replay loop's decision step alone ({@code planner.next} on
 * the next test query's first state; ops/s = decisions/s). {@link #replayQuery} is the whole of
 * {@link OfflineReplay#run} for one query as the evaluator runs it (route, the recorded model answers, the
 * episode is assembled, until the planner answers); its {@code decisions} counter is the planner calls made, so
 * JMH reports decisions/s next to queries/s.
 *
 * <p>Test queries rotate as they are (no fresh variants): the evaluator replays the same split for every point
 * of a trade-off grid, so after the first lap the query encodings are memoised, as here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4"})
public class OfflineReplayBenchmark {
  @Param({"hybrid-llm", "pilot"})
  public String strategy;

  private FittedRouters.Fitted fitted;
  private Planner planner;
  private PlanState[] states;
  private List<RecordedQuery> queries;
  private int next;

  /** Planner calls of the replayed queries; OPERATIONS makes JMH report them per second (decisions/s). */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Decisions {
    public long decisions;
  }

  @Setup(Level.Trial)
  public void fit() {
    fitted = FittedRouters.fit(strategy, RecordedData.dataset());
    planner = fitted.planner();
    states = fitted.firstStates(1);
    queries = fitted.test().queries();
  }

  @Benchmark
  public PlanAction decision() {
    PlanState state = states[next];
    next = next + 1 == states.length ? 0 : next + 1;
    return planner.next(state);
  }

  @Benchmark
  public OfflineReplay.Outcome replayQuery(Decisions counter) {
    RecordedQuery q = queries.get(next);
    next = next + 1 == queries.size() ? 0 : next + 1;
    OfflineReplay.Outcome o = OfflineReplay.run(planner, q, fitted.cards(), Budget.unlimited(), strategy, 0);
    // every call was routed by one decision, and one more decision answered
    counter.decisions += o.calls().size() + 1;
    return o;
  }
}
