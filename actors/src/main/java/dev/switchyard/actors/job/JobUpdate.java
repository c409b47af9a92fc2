package dev.switchyard.actors.job;

import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;

/**
 * One event of a job's event stream (served as server-sent events).
 *
 * @param seq 1-based, increasing by one per event of this job; the same event always has the same number
 * @param type {@code accepted}, {@code step_started}, {@code step}, {@code step_finished}, or a terminal status
 *     ({@code succeeded}, {@code failed}, {@code cancelled}); {@code not_found} for an unknown job;
 *     {@code end_of_stream} (never shown to clients) when a watcher of an ended job has every event already
 * @param step the job step concerned, -1 for job-level events
 * @param episodeStep for {@code step}: the recorded decision or model call
 * @param result for {@code step_finished}: the step's result
 * @param job for {@code accepted} and terminal events: the job as it was then
 */
public record JobUpdate(String jobId, long seq, String type, int step, String queryId, EpisodeStep episodeStep,
    QueryResult result, JobView job) implements CrossNode {

  public boolean terminal() {
    return type.equals("succeeded") || type.equals("failed") || type.equals("cancelled") || type.equals("not_found");
  }

  /** {@code accepted}: the job as accepted (queued, nothing spent), whenever it is replayed. */
  static JobUpdate accepted(String jobId, JobState state) {
    JobState atAcceptance = new JobState(state.spec(), state.acceptedAtMillis(), java.util.List.of(), false, null,
        null, null, 0);
    return new JobUpdate(jobId, 1, "accepted", -1, null, null, null, JobView.summary(atAcceptance));
  }

  /** The terminal event: the job as it ended. */
  static JobUpdate ended(String jobId, long seq, JobState state) {
    return new JobUpdate(jobId, seq, state.ended().wire(), -1, null, null, null, JobView.summary(state));
  }

  static JobUpdate stepStarted(String jobId, long seq, JobState.Step s) {
    return new JobUpdate(jobId, seq, "step_started", s.index(), s.queryId(), null, null, null);
  }

  static JobUpdate episodeStep(String jobId, long seq, int step, String queryId, EpisodeStep episodeStep) {
    return new JobUpdate(jobId, seq, "step", step, queryId, episodeStep, null, null);
  }

  static JobUpdate stepFinished(String jobId, long seq, JobState.Step s) {
    return new JobUpdate(jobId, seq, "step_finished", s.index(), s.queryId(), null, s.result(), null);
  }

  /** Nothing more will come: the job has ended and the watcher already had its terminal event. */
  public boolean endOfStream() {
    return type.equals("end_of_stream");
  }

  static JobUpdate endOfStream(String jobId, long lastSeq) {
    return new JobUpdate(jobId, lastSeq, "end_of_stream", -1, null, null, null, null);
  }

  static JobUpdate notFound(String jobId) {
    return new JobUpdate(jobId, 0, "not_found", -1, null, null, null, null);
  }
}
