package dev.switchyard.simulator.backend;

import com.typesafe.config.Config;
import java.util.concurrent.TimeUnit;

/**
 * The numbers behind the fault personas, from {@code switchyard.simulator.personas}.
 *
 * @param slowTtftFactor how much {@code slow} multiplies the time to first token
 * @param gpuSlowTtftMs what {@code gpu-slow} adds to the time to first token
 * @param oomAfterCalls calls {@code oom} answers before its replica runs out of memory
 * @param rejectMs how long a refusal ({@code 429}, 400, 401) takes to come back
 */
public record PersonaSettings(double slowTtftFactor, double gpuSlowTtftMs, int oomAfterCalls, double rejectMs) {
  public PersonaSettings {
    if (slowTtftFactor < 1 || gpuSlowTtftMs < 0 || oomAfterCalls < 0 || rejectMs < 0) {
      throw new IllegalArgumentException("persona settings out of range: slow-ttft-factor=" + slowTtftFactor
          + " gpu-slow-ttft=" + gpuSlowTtftMs + "ms oom-after-calls=" + oomAfterCalls + " reject=" + rejectMs + "ms");
    }
  }

  public static PersonaSettings fromConfig(Config personas) {
    return new PersonaSettings(personas.getDouble("slow-ttft-factor"),
        personas.getDuration("gpu-slow-ttft", TimeUnit.MICROSECONDS) / 1000.0,
        personas.getInt("oom-after-calls"),
        personas.getDuration("reject-after", TimeUnit.MICROSECONDS) / 1000.0);
  }
}
