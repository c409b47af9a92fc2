package dev.switchyard.simulator.cli;

import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one pipeline (or a baseline) did over a set of queries: quality as the mean recorded score of the
 * answers (an abstention or a failure scores 0), cost per query, calls per model, latency percentiles and
 * failures by kind. Thread-safe.
 */
final class RunStats {
  private final String name;
  private int queries;
  private int answered;
  private double scoreSum;
  private double costSum;
  private final LatencyHistogram latencies = new LatencyHistogram();
  private final Map<String, Integer> callsPerModel = new LinkedHashMap<>();
  private final Map<String, Integer> failures = new TreeMap<>();

  RunStats(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  /** An engine result for a recorded query; {@code latencyMs} is the simulated end-to-end latency. */
  synchronized void recordResult(RecordedQuery recorded, QueryResult result, double latencyMs) {
    queries++;
    if (!result.abstained() && result.answerModel() != null) {
      answered++;
      scoreSum += recorded.outcome(result.answerModel()).score();
    } else {
      failures.merge("abstained", 1, Integer::sum);
    }
    costSum += result.costUsd();
    latencies.record(latencyMs);
    result.modelsCalled().forEach(m -> callsPerModel.merge(m, 1, Integer::sum));
  }

  /** A baseline that sends the query to one model and takes its recorded outcome. */
  synchronized void recordBaseline(String model, double score, double cost, double latencyMs) {
    queries++;
    answered++;
    scoreSum += score;
    costSum += cost;
    latencies.record(latencyMs);
    callsPerModel.merge(model, 1, Integer::sum);
  }

  synchronized void recordFailure(String kind) {
    queries++;
    failures.merge(kind, 1, Integer::sum);
  }

  synchronized int queries() {
    return queries;
  }

  synchronized int answered() {
    return answered;
  }

  synchronized double quality() {
    return queries == 0 ? Double.NaN : scoreSum / queries;
  }

  synchronized double costPerQuery() {
    return queries == 0 ? Double.NaN : costSum / queries;
  }

  synchronized double totalCost() {
    return costSum;
  }

  synchronized double percentile(double p) {
    return latencies.percentileMs(p);
  }

  synchronized double callsPerQuery() {
    return queries == 0 ? Double.NaN : callsPerModel.values().stream().mapToInt(Integer::intValue).sum()
        / (double) queries;
  }

  synchronized Map<String, Integer> callsPerModel() {
    return new LinkedHashMap<>(callsPerModel);
  }

  synchronized Map<String, Integer> failures() {
    return new TreeMap<>(failures);
  }

  synchronized int failureCount() {
    return failures.entrySet().stream().filter(e -> !e.getKey().equals("abstained"))
        .mapToInt(Map.Entry::getValue).sum();
  }

  /**
   * The simulated latency of a result: the sum of its model calls' simulated latencies (calls run one after
   * another); the engine's own figure when the episode records no call.
   */
  static double simulatedLatencyMs(QueryResult result) {
    if (result.episode() != null) {
      List<Response> calls = result.episode().calls();
      if (!calls.isEmpty()) {
        return calls.stream().mapToDouble(Response::latencyMs).sum();
      }
    }
    return result.latencyMs();
  }
}
