package dev.switchyard.actors;

import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The engine as its callers (HTTP routes, the demo, the simulator) see it on one node. Every method is
 * non-blocking. Failures arrive as {@link EngineRejection}s (unknown pipeline, overloaded with retry-after,
 * unavailable, timeout), never as silently dropped work.
 */
public interface Engine {
  List<PipelineDefinition> pipelines();

  /** Runs the query through the named pipeline and completes with its result. */
  CompletionStage<QueryResult> answer(Query query, String pipeline, Durability durability);

  /** Like {@link #answer}, emitting each recorded step as it happens and the result last. */
  Source<QueryProgress, NotUsed> answerStreaming(Query query, String pipeline, Durability durability);

  /** Attaches a reward to a finished query; the pipeline's learner, if any, learns from it. */
  CompletionStage<Done> feedback(Feedback feedback);

  /** The latest load each model pool published. */
  Map<String, PoolLoad> load();

  /**
   * Makes the newest version of a learned pipeline's policy the acting one (under manual promotion new
   * versions only decide in shadow until promoted); completes with the acting version.
   */
  default CompletionStage<Long> promote(String pipeline) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        new UnsupportedOperationException("this engine does not support policy promotion"));
  }
}
