package dev.switchyard.actors;

import dev.switchyard.actors.job.JobActor;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.job.JobUpdate;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.actors.journal.JournalStatus;
import dev.switchyard.actors.learn.PolicyPublished;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.actors.shadow.ShadowTally;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Episode;
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

  /**
   * {@link #answer(Query, String, Durability)} for a traced request: every model call of the query carries
   * {@code traceparent} (a W3C trace context; null for none), so that the attempt spans a backend makes are
   * children of the request's span. An engine that does not pass it on answers the same, untraced.
   */
  default CompletionStage<QueryResult> answer(Query query, String pipeline, Durability durability,
      String traceparent) {
    return answer(query, pipeline, durability);
  }

  /**
   * {@link #answerStreaming(Query, String, Durability)} for a traced request, as
   * {@link #answer(Query, String, Durability, String)}.
   */
  default Source<QueryProgress, NotUsed> answerStreaming(Query query, String pipeline, Durability durability,
      String traceparent) {
    return answerStreaming(query, pipeline, durability);
  }

  /**
   * Attaches a reward to a finished query; the pipeline's learner, if any, learns from it. A query takes one
   * reward: another fails with {@code CONFLICT} unless {@link Feedback#replace()}, and a replacement is recorded
   * on the query but not learned again.
   */
  CompletionStage<Done> feedback(Feedback feedback);

  /** The latest load each model pool published. */
  Map<String, PoolLoad> load();

  /** Every configured tenant's spend and request rate against its limits, as its ledger holds them now. */
  default CompletionStage<List<TenantUsage>> tenantUsage() {
    return java.util.concurrent.CompletableFuture.completedFuture(List.of());
  }

  /**
   * Whether durable work can be journaled now; while not, it is refused with {@code JOURNAL_UNAVAILABLE}. An
   * engine without a journal of its own is always writable.
   */
  default JournalStatus journal() {
    return JournalStatus.writable(java.time.Instant.EPOCH);
  }

  /**
   * Accepts a job (a sequence of steps run in order as durable queries, within one budget); completes with the
   * job once its acceptance is journaled, never before. A spec whose id already holds the same job completes
   * with that job; one whose id holds a different request fails with {@code CONFLICT}.
   */
  default CompletionStage<JobActor.Accepted> submitJob(JobSpec spec) {
    return unsupported("jobs");
  }

  /** The job's status, steps and result; fails with {@code NOT_FOUND} for an unknown id. */
  default CompletionStage<JobView> job(String jobId) {
    return unsupported("jobs");
  }

  /**
   * Cancels a job: no further model call, no further step (a call in flight is still recorded); a no-op for an
   * ended job. Completes with the job as it is once the cancel is journaled.
   */
  default CompletionStage<JobView> cancelJob(String jobId) {
    return unsupported("jobs");
  }

  /**
   * The job's events numbered above {@code afterSeq} (replayed from the journals), then live ones; completes
   * after the terminal event. Fails with {@code NOT_FOUND} for an unknown id.
   */
  default Source<JobUpdate, NotUsed> jobEvents(String jobId, long afterSeq) {
    return Source.failed(new UnsupportedOperationException("this engine does not run jobs"));
  }

  private static <T> CompletionStage<T> unsupported(String what) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        new UnsupportedOperationException("this engine does not support " + what));
  }

  /**
   * Makes the newest version of a learned pipeline's policy the acting one (under manual promotion new
   * versions only decide in shadow until promoted); completes with the acting version.
   */
  default CompletionStage<Long> promote(String pipeline) {
    return unsupported("policy promotion");
  }

  /**
   * Installs a policy artifact (its JSON text) as the pipeline's shadow on every node: checked as
   * {@code config check} checks a pipeline's {@code policy} ({@code INVALID} naming the problem in its param;
   * {@code UNKNOWN_PIPELINE}); completes once the registry has journaled it. Replaces an installed shadow.
   */
  default CompletionStage<ShadowRegistry.Report> installShadow(String pipeline, String artifactJson) {
    return unsupported("shadows");
  }

  /** Removes the pipeline's shadow; {@code NOT_FOUND} when it has none. */
  default CompletionStage<ShadowRegistry.Report> removeShadow(String pipeline) {
    return unsupported("shadows");
  }

  /** The pipeline's shadow (null when none), its score and its last promotion. */
  default CompletionStage<ShadowRegistry.Report> shadow(String pipeline) {
    return unsupported("shadows");
  }

  /**
   * Makes the pipeline's installed shadow act on every node (journaled: it survives a restart): a fixed
   * pipeline's planner becomes the artifact's; a learned pipeline's learner adopts the artifact's state as its next
   * version. With no shadow installed, a learned pipeline promotes its learner's candidate ({@link #promote});
   * another is {@code CONFLICT}.
   */
  default CompletionStage<Promotion> promoteShadow(String pipeline) {
    return unsupported("shadows");
  }

  /**
   * A learned pipeline's policy as this node decides with it (its board's versions, read locally: the replicated
   * policy register brought them) and as its learner singleton holds it now; {@code UNKNOWN_PIPELINE} for a
   * pipeline that does not learn.
   */
  default CompletionStage<PolicyReport> policyReport(String pipeline) {
    return unsupported("policies");
  }

  /**
   * The last episodes that finished on this node, newest first (at most {@code switchyard.dashboard.recent-episodes}):
   * what the dashboard shows of recent queries. An engine that keeps none answers an empty list.
   */
  default List<Episode> recentEpisodes() {
    return List.of();
  }

  /**
   * @param nodeVersion the acting version this node decides with
   * @param nodeCandidateVersion the version this node's shadow candidate is at (manual promotion), 0 for none
   * @param learned what the learner would publish now: its acting snapshot and candidate
   */
  record PolicyReport(String pipeline, long nodeVersion, long nodeCandidateVersion, PolicyPublished learned) {}

  /**
   * @param promoted what now acts: the artifact's fingerprint, or {@code v<N>} for a learner's own candidate
   * @param version the learner's acting version after it, null for a fixed pipeline
   * @param score the shadow's score at its promotion (null for a learner's candidate)
   */
  record Promotion(String pipeline, String promoted, Long version, ShadowTally.Score score) {}
}
