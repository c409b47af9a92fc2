package dev.switchyard.actors.job;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code switchyard.job.*}: how long callers wait for a job entity's answer, how soon a job retries a step whose
 * query refused it, and the most steps one job may have.
 */
public record JobSettings(Duration askTimeout, Duration stepRetry, int maxSteps) {
  public JobSettings {
    if (maxSteps <= 0) {
      throw new IllegalArgumentException("switchyard.job.max-steps must be > 0, got " + maxSteps);
    }
  }

  public static JobSettings from(Config root) {
    Config c = root.getConfig("switchyard.job");
    return new JobSettings(c.getDuration("ask-timeout"), c.getDuration("step-retry"), c.getInt("max-steps"));
  }
}
