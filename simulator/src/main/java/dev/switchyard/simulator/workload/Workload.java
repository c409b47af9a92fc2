package dev.switchyard.simulator.workload;

import dev.switchyard.strategies.data.RecordedQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Requests over recorded queries: arrival times from an {@link ArrivalProcess}, each carrying a query drawn
 * uniformly (with replacement) from the pool. Seeded: the same seed gives the same times and queries.
 */
public final class Workload {
  /** One request: its sequence number, when it arrives (seconds from the start) and what it asks. */
  public record Arrival(int seq, double atSeconds, RecordedQuery query) {}

  private final ArrivalProcess process;
  private final List<RecordedQuery> pool;

  public Workload(ArrivalProcess process, List<RecordedQuery> pool) {
    this.process = Objects.requireNonNull(process, "process");
    if (pool == null || pool.isEmpty()) {
      throw new IllegalArgumentException("a workload needs at least one recorded query");
    }
    this.pool = List.copyOf(pool);
  }

  public ArrivalProcess process() {
    return process;
  }

  public List<Arrival> generate(double durationSeconds, long seed) {
    Random random = new Random(seed);
    List<Double> times = process.arrivals(durationSeconds, random);
    List<Arrival> out = new ArrayList<>(times.size());
    for (int i = 0; i < times.size(); i++) {
      out.add(new Arrival(i, times.get(i), pool.get(random.nextInt(pool.size()))));
    }
    return out;
  }
}
