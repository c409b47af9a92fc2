package dev.switchyard.actors.job;

import dev.switchyard.protocol.EpisodeStep;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a {@link JobActor} tells its watchers: the episode steps of the running step as its query streams them
 * ({@code live}, not journaled by the job: the step's query journals them, and re-streams them when the job joins
 * it again after a restart), and the watchers that hear every {@link JobUpdate} once, in order.
 *
 * <p>Updates are numbered by their place in {@link JobState#updates}, so a watcher is told each update whose
 * number it has not heard: a newcomer gets the ones above the number it asked from, then the live ones.
 * Not thread-safe: the job's actor owns it.
 */
final class JobWatchers {
  private final String jobId;
  private final List<ActorRef<JobUpdate>> watchers = new ArrayList<>();
  /** Episode steps of the running step recorded so far, as its query streams them (rebuilt after a restart). */
  private final List<EpisodeStep> live = new ArrayList<>();
  private String liveQueryId;
  private long notified;

  JobWatchers(String jobId) {
    this.jobId = jobId;
  }

  /** A step has just started: its query streams its steps from the first. */
  void stepStarted(String queryId) {
    live.clear();
    liveQueryId = queryId;
  }

  /**
   * The job submits its running step's query again (it resumes): the query replays its steps from the first, so
   * the live steps start again unless they are that query's already.
   */
  void following(String queryId) {
    if (!queryId.equals(liveQueryId)) {
      stepStarted(queryId);
    }
  }

  /**
   * The running step's query recorded its step number {@code seq}: kept and told if it is the next one (a
   * re-joined query replays steps the job already holds).
   */
  void stepMade(JobState state, long seq, EpisodeStep step) {
    if (seq == live.size()) {
      live.add(step);
      publish(state);
    }
  }

  /** The running step finished: its steps are now in its journaled result. */
  void stepFinished(JobState state) {
    live.clear();
    publish(state);
  }

  /** The job ended: the watchers hear the end, and nothing after it. */
  void ended(JobState state) {
    publish(state);
    watchers.clear();
  }

  /**
   * A watcher from update {@code afterSeq} on: it hears the updates above it now, then the live ones while the job
   * runs; if the job has ended and it already had the terminal event (a reconnect with Last-Event-ID), its stream
   * ends now.
   */
  void watch(JobState state, long afterSeq, ActorRef<JobUpdate> watcher) {
    publish(state); // existing watchers first, so the newcomer's replay and the live events do not overlap
    List<JobUpdate> all = state.updates(live);
    for (JobUpdate u : all) {
      if (u.seq() > afterSeq) {
        watcher.tell(u);
      }
    }
    if (state.running()) {
      watchers.add(watcher);
    } else if (all.isEmpty() || all.get(all.size() - 1).seq() <= afterSeq) {
      watcher.tell(JobUpdate.endOfStream(jobId, all.isEmpty() ? 0 : all.get(all.size() - 1).seq()));
    }
  }

  /** Tells every watcher the updates it has not heard. */
  void publish(JobState state) {
    List<JobUpdate> all = state.updates(live);
    for (int i = (int) notified; i < all.size(); i++) {
      JobUpdate u = all.get(i);
      watchers.forEach(w -> w.tell(u));
    }
    notified = all.size();
  }

  JobView view(JobState state) {
    return JobView.of(state, live);
  }
}
