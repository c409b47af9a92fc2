package dev.switchyard.protocol;

/** The kind of a recorded episode step; the control pipeline of DESIGN.md plus planner actions. */
public enum Stage {
  PRE_ROUTE,
  THINK,
  GENERATE,
  VERIFY,
  ESCALATE,
  AGGREGATE,
  ANSWER,
  ABSTAIN,
  /** A pool refused the call (full, could not start it in time, or circuit open); the plan re-routes or retries. */
  REJECTED,
  /** A call failed (backend error, timeout). */
  FAILED
}
