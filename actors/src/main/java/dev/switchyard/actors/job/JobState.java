package dev.switchyard.actors.job;

import dev.switchyard.actors.job.JobEvent.CancelRequested;
import dev.switchyard.actors.job.JobEvent.JobAccepted;
import dev.switchyard.actors.job.JobEvent.JobEnded;
import dev.switchyard.actors.job.JobEvent.StepFinished;
import dev.switchyard.actors.job.JobEvent.StepStarted;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A job's state, built only by applying {@link JobEvent}s.
 *
 * @param steps the steps started so far, in order; only the last may be unfinished
 * @param ended the terminal status, null while the job has not ended
 */
record JobState(JobSpec spec, long acceptedAtMillis, List<Step> steps, boolean cancelRequested, JobStatus ended,
    String endCode, String endMessage, long endedAtMillis) {

  /** A started step; {@code result} is null while it runs. */
  record Step(int index, String queryId, Budget budget, long startedAtMillis, QueryResult result) {
    boolean finished() {
      return result != null;
    }
  }

  JobState {
    steps = List.copyOf(steps);
  }

  static JobState none() {
    return new JobState(null, 0, List.of(), false, null, null, null, 0);
  }

  boolean accepted() {
    return spec != null;
  }

  boolean running() {
    return accepted() && ended == null;
  }

  JobStatus status() {
    if (ended != null) {
      return ended;
    }
    return steps.isEmpty() ? JobStatus.QUEUED : JobStatus.RUNNING;
  }

  /** The step whose query runs now, if any. */
  Optional<Step> runningStep() {
    if (steps.isEmpty() || steps.get(steps.size() - 1).finished()) {
      return Optional.empty();
    }
    return Optional.of(steps.get(steps.size() - 1));
  }

  double spentUsd() {
    return steps.stream().filter(Step::finished).mapToDouble(s -> s.result().costUsd()).sum();
  }

  int roundsUsed() {
    return steps.stream().filter(Step::finished).mapToInt(s -> s.result().rounds()).sum();
  }

  /** Which part of the job's budget is spent at {@code now}, if any: the job then starts no further step. */
  Optional<String> budgetExhausted(long now) {
    Budget b = spec.budget();
    if (b.costExhausted(spentUsd())) {
      return Optional.of("cost budget of " + b.maxCostUsd() + " USD spent (" + spentUsd() + " USD)");
    }
    if (b.roundsExhausted(roundsUsed())) {
      return Optional.of("budget of " + b.maxRounds() + " model calls used");
    }
    if (b.deadlineMillis() > 0 && now - acceptedAtMillis >= b.deadlineMillis()) {
      return Optional.of("deadline of " + b.deadlineMillis() + " ms passed");
    }
    return Optional.empty();
  }

  /** What is left of the job's budget at {@code now}, for the next step (0 = unlimited, as in {@link Budget}). */
  Budget remainingBudget(long now) {
    Budget b = spec.budget();
    return new Budget(b.maxCostUsd() > 0 ? b.maxCostUsd() - spentUsd() : 0,
        b.maxRounds() > 0 ? b.maxRounds() - roundsUsed() : 0,
        b.deadlineMillis() > 0 ? b.deadlineMillis() - (now - acceptedAtMillis) : 0);
  }

  /** The answer of the latest step that answered: the job's answer so far. */
  Optional<QueryResult> bestAnswer() {
    for (int i = steps.size() - 1; i >= 0; i--) {
      QueryResult r = steps.get(i).result();
      if (r != null && !r.abstained()) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  JobState apply(JobEvent event) {
    if (event instanceof JobAccepted e) {
      return accepted() ? this : new JobState(e.spec(), e.atMillis(), List.of(), false, null, null, null, 0);
    }
    if (!accepted()) {
      throw new IllegalStateException(event.getClass().getSimpleName() + " before JobAccepted");
    }
    if (event instanceof StepStarted e) {
      List<Step> next = new ArrayList<>(steps);
      next.add(new Step(e.index(), e.queryId(), e.budget(), e.atMillis(), null));
      return new JobState(spec, acceptedAtMillis, next, cancelRequested, ended, endCode, endMessage, endedAtMillis);
    }
    if (event instanceof StepFinished e) {
      List<Step> next = new ArrayList<>(steps);
      Step s = next.get(e.index());
      next.set(e.index(), new Step(s.index(), s.queryId(), s.budget(), s.startedAtMillis(), e.result()));
      return new JobState(spec, acceptedAtMillis, next, cancelRequested, ended, endCode, endMessage, endedAtMillis);
    }
    if (event instanceof CancelRequested) {
      return new JobState(spec, acceptedAtMillis, steps, true, ended, endCode, endMessage, endedAtMillis);
    }
    JobEnded e = (JobEnded) event;
    return ended != null ? this
        : new JobState(spec, acceptedAtMillis, steps, cancelRequested, e.status(), e.code(), e.message(), e.atMillis());
  }

  /**
   * Every event of the job so far, numbered from 1 in the order they happened: {@code accepted}; per step
   * {@code step_started}, one {@code step} per recorded episode step, {@code step_finished}; finally the terminal
   * {@code succeeded} / {@code failed} / {@code cancelled}. The numbering is a pure function of the journals (the
   * running step's episode steps come from its durable query, {@code live}), so a replay gives the same ids.
   */
  List<JobUpdate> updates(List<EpisodeStep> live) {
    List<JobUpdate> out = new ArrayList<>();
    if (!accepted()) {
      return out;
    }
    String id = spec.id();
    out.add(JobUpdate.accepted(id, this));
    for (Step s : steps) {
      out.add(JobUpdate.stepStarted(id, out.size() + 1, s));
      List<EpisodeStep> episode = s.finished() && s.result().episode() != null ? s.result().episode().steps() : live;
      for (EpisodeStep step : episode) {
        out.add(JobUpdate.episodeStep(id, out.size() + 1, s.index(), s.queryId(), step));
      }
      if (s.finished()) {
        out.add(JobUpdate.stepFinished(id, out.size() + 1, s));
      }
    }
    if (ended != null) {
      out.add(JobUpdate.ended(id, out.size() + 1, this));
    }
    return out;
  }
}
