package dev.switchyard.actors.job;

import java.util.Locale;

/**
 * Where a job is. {@code SUCCEEDED}: every step answered (a step may have answered with its best response when
 * the budget ran out during it). {@code FAILED}: the job stopped without an answer for some step: a step
 * abstained, or the budget ran out before a step could start (the result then carries the best answer so far).
 * {@code CANCELLED}: cancelled by the client before it ended.
 */
public enum JobStatus {
  QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** The wire name ({@code queued}, {@code running}, ...). */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
