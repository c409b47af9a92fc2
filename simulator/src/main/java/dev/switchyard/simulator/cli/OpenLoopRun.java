package dev.switchyard.simulator.cli;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.simulator.backend.ChaosSchedule;
import dev.switchyard.simulator.backend.ReplayBackend;
import dev.switchyard.simulator.workload.Workload.Arrival;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Plays an open-loop workload against the engine: every arrival is sent at its time whatever the engine is
 * doing (so overload shows as queueing and rejections, not as a slower client), and chaos events switch
 * personas at theirs. Simulated time runs {@code 1 / latencyScale} times faster than wall time, the same
 * factor the backends apply to their latencies, so overlaps, queues and rates are those of real time.
 * Arrivals beyond {@code maxInFlight} outstanding queries are shed by the client and counted.
 */
final class OpenLoopRun {
  /** One finished query: when it arrived (simulated s), its simulated latency, and how it ended. */
  record Finished(int seq, double arrivedAtSeconds, double latencyMs, QueryResult result, String failure) {}

  /** Everything observed. */
  record Observed(List<Finished> finished, int shed, List<String> chaosApplied, double wallSeconds) {}

  /** Where the queries go: the in-process engine, or the HTTP API of every node of a local cluster. */
  @FunctionalInterface
  interface Target {
    CompletionStage<QueryResult> answer(Query query, String pipeline);
  }

  /** Chaos beyond persona switches, e.g. killing a node, at a simulated time; described in the report. */
  record TimedAction(double atSeconds, String description, Runnable action) {}

  private OpenLoopRun() {}

  static Observed run(Target engine, String pipeline, List<Arrival> arrivals, ChaosSchedule chaos,
      List<TimedAction> actions, Map<String, List<ReplayBackend>> replicas, double latencyScale, int maxInFlight,
      Duration answerTimeout, String runId, ProgressBar progress) throws InterruptedException {
    if (!(latencyScale > 0)) {
      throw new IllegalArgumentException("--latency-scale must be > 0 for an open-loop workload (arrivals are "
          + "paced in scaled time), got " + latencyScale);
    }
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "simulate-arrivals");
      t.setDaemon(true);
      return t;
    });
    List<Finished> finished = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> applied = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger shed = new AtomicInteger();
    CountDownLatch outstanding = new CountDownLatch(arrivals.size());
    LongSupplier now = System::nanoTime;
    long start = now.getAsLong();
    try {
      for (ChaosSchedule.Event e : chaos.events()) {
        clock.schedule(() -> {
          ChaosSchedule.apply(e, replicas);
          applied.add(e.toString());
        }, wallMicros(e.at().toMillis() / 1000.0, latencyScale), TimeUnit.MICROSECONDS);
      }
      for (TimedAction action : actions) {
        clock.schedule(() -> {
          action.action().run();
          applied.add(action.description());
        }, wallMicros(action.atSeconds(), latencyScale), TimeUnit.MICROSECONDS);
      }
      for (Arrival a : arrivals) {
        clock.schedule(() -> {
          if (inFlight.get() >= maxInFlight) {
            shed.incrementAndGet();
            finished.add(new Finished(a.seq(), a.atSeconds(), Double.NaN, null, "SHED"));
            progress.advance(false);
            outstanding.countDown();
            return;
          }
          inFlight.incrementAndGet();
          long sent = now.getAsLong();
          Query q = new Query(runId + "/" + a.seq(), List.of(ChatMessage.user(a.query().prompt())), a.query().task(),
              Budget.unlimited());
          try {
            engine.answer(q, pipeline).toCompletableFuture()
                .orTimeout(answerTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((result, error) -> {
                  double latencyMs = (now.getAsLong() - sent) / 1e6 / latencyScale;
                  finished.add(new Finished(a.seq(), a.atSeconds(), latencyMs, error == null ? result : null,
                      error == null ? null : ClosedLoopReplay.failureKind(error)));
                  inFlight.decrementAndGet();
                  progress.advance(error == null);
                  outstanding.countDown();
                });
          } catch (RuntimeException e) {
            finished.add(new Finished(a.seq(), a.atSeconds(), Double.NaN, null, ClosedLoopReplay.failureKind(e)));
            inFlight.decrementAndGet();
            progress.advance(false);
            outstanding.countDown();
          }
        }, wallMicros(a.atSeconds(), latencyScale), TimeUnit.MICROSECONDS);
      }
      double lastArrival = arrivals.isEmpty() ? 0 : arrivals.get(arrivals.size() - 1).atSeconds();
      long waitMillis = (long) (lastArrival * 1000 * latencyScale) + answerTimeout.toMillis() + 5_000;
      if (!outstanding.await(waitMillis, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(outstanding.getCount() + " queries neither answered nor timed out within "
            + waitMillis + " ms");
      }
    } finally {
      clock.shutdownNow();
      progress.finish();
    }
    List<Finished> sorted = new ArrayList<>(finished);
    sorted.sort(java.util.Comparator.comparingInt(Finished::seq));
    return new Observed(sorted, shed.get(), List.copyOf(applied), (now.getAsLong() - start) / 1e9);
  }

  private static long wallMicros(double simulatedSeconds, double latencyScale) {
    return Math.round(simulatedSeconds * latencyScale * 1_000_000);
  }

  /** Failures by kind, sorted by name. */
  static Map<String, Integer> failures(List<Finished> finished) {
    Map<String, Integer> out = new TreeMap<>();
    finished.stream().filter(f -> f.failure() != null).forEach(f -> out.merge(f.failure(), 1, Integer::sum));
    return out;
  }
}
