package dev.switchyard.simulator.cli;

import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.data.RecordedQuery;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends recorded queries through one pipeline with at most {@code concurrency} in flight (a closed loop: the
 * next query goes when one finishes) and gathers their {@link RunStats}. A query that fails or does not
 * answer within the timeout is counted by kind, never dropped.
 */
final class ClosedLoopReplay {
  private ClosedLoopReplay() {}

  static RunStats run(Engine engine, String pipeline, List<RecordedQuery> queries, int concurrency,
      Duration timeout, String runId, ProgressBar progress) throws InterruptedException {
    RunStats stats = new RunStats(pipeline);
    Semaphore permits = new Semaphore(concurrency);
    for (RecordedQuery recorded : queries) {
      permits.acquire();
      Query query = new Query(runId + "/" + recorded.id(), List.of(ChatMessage.user(recorded.prompt())),
          recorded.task(), Budget.unlimited());
      try {
        engine.answer(query, pipeline, Durability.EPHEMERAL).toCompletableFuture()
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((result, error) -> {
              try {
                if (error == null) {
                  stats.recordResult(recorded, result, RunStats.simulatedLatencyMs(result));
                } else {
                  stats.recordFailure(failureKind(error));
                }
                progress.advance(error == null && !result.abstained());
              } finally {
                permits.release();
              }
            });
      } catch (RuntimeException e) {
        stats.recordFailure(failureKind(e));
        progress.advance(false);
        permits.release();
      }
    }
    permits.acquire(concurrency);
    progress.finish();
    return stats;
  }

  /** A short label for why a query failed: the engine's rejection reason, a backend failure kind, or a class. */
  static String failureKind(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof EngineRejection r) {
      return r.reason().name();
    }
    if (e instanceof BackendException b) {
      return b.kind().name();
    }
    if (e instanceof TimeoutException) {
      return "TIMEOUT";
    }
    if (e instanceof NodesLauncher.Failure f) {
      return f.kind();
    }
    return e.getClass().getSimpleName();
  }

}
