package dev.switchyard.simulator.cli;

import dev.switchyard.simulator.backend.ReplayBackend;
import dev.switchyard.simulator.cli.OpenLoopRun.Finished;
import dev.switchyard.simulator.workload.Workload.Arrival;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code switchyard simulate} measured, as written to {@code --out} (JSON) and printed. Throughput counts
 * answered queries per simulated second; goodput those answered within the SLO; quality is the mean recorded
 * score of the answers (and, stricter, over every offered query, a failure scoring 0); {@code latencyMs} is
 * end-to-end in simulated time (wall time divided by the latency scale, so it includes the engine's own
 * queueing and overhead, magnified when the scale is small), {@code modelLatencyMs} the sum of the simulated
 * model calls alone. With {@code --nodes}, {@code nodes} counts what each node was sent and answered (null for the
 * engine in this JVM); the backends' outcomes then stay inside the node JVMs and are not reported, and
 * {@code modelLatencyMs} is the latency the answering node measured (the HTTP response's {@code latency_ms}).
 */
record SimulationReport(
    String data,
    String workload,
    double rate,
    double durationSeconds,
    String pipeline,
    double latencyScale,
    long seed,
    Map<String, String> faults,
    List<String> chaosApplied,
    int offered,
    int answered,
    int abstained,
    int shed,
    Map<String, Integer> failures,
    double throughputPerSecond,
    double goodputPerSecond,
    double sloMs,
    Map<String, Double> latencyMs,
    Map<String, Double> modelLatencyMs,
    double qualityOfAnswers,
    double qualityOfOffered,
    double totalCostUsd,
    double costPerAnsweredQuery,
    Map<String, Integer> callsPerModel,
    Map<String, Map<String, Long>> backendOutcomes,
    int attemptsBilledMoreThanOnce,
    List<Map<String, Object>> timeline,
    double wallSeconds,
    List<NodesLauncher.NodeCount> nodes) {

  static SimulationReport of(String data, String workload, double rate, double durationSeconds, String pipeline,
      double latencyScale, long seed, Map<String, String> faults, List<Arrival> arrivals,
      OpenLoopRun.Observed observed, double sloMs, Map<String, List<ReplayBackend>> replicas,
      int attemptsBilledMoreThanOnce, List<NodesLauncher.NodeCount> nodes) {
    int answered = 0;
    int abstained = 0;
    int withinSlo = 0;
    double scoreSum = 0;
    double cost = 0;
    LatencyHistogram latencies = new LatencyHistogram();
    LatencyHistogram modelLatencies = new LatencyHistogram();
    Map<String, Integer> calls = new LinkedHashMap<>();
    replicas.keySet().forEach(m -> calls.put(m, 0));
    int buckets = (int) Math.ceil(Math.max(durationSeconds, 1e-9));
    int[][] perSecond = new int[buckets][3];
    for (Arrival a : arrivals) {
      perSecond[Math.min(buckets - 1, (int) a.atSeconds())][0]++;
    }
    for (Finished f : observed.finished()) {
      int bucket = Math.min(buckets - 1, (int) f.arrivedAtSeconds());
      if (f.result() == null) {
        perSecond[bucket][2]++;
        continue;
      }
      latencies.record(f.latencyMs());
      modelLatencies.record(RunStats.simulatedLatencyMs(f.result()));
      cost += f.result().costUsd();
      f.result().modelsCalled().forEach(m -> calls.merge(m, 1, Integer::sum));
      if (f.result().abstained()) {
        abstained++;
        continue;
      }
      answered++;
      perSecond[bucket][1]++;
      scoreSum += arrivals.get(f.seq()).query().outcome(f.result().answerModel()).score();
      if (f.latencyMs() <= sloMs) {
        withinSlo++;
      }
    }
    Map<String, Double> lat = new LinkedHashMap<>();
    lat.put("p50", latencies.percentileMs(50));
    lat.put("p90", latencies.percentileMs(90));
    lat.put("p99", latencies.percentileMs(99));
    lat.put("max", latencies.maxMs());
    Map<String, Double> modelLat = new LinkedHashMap<>();
    modelLat.put("p50", modelLatencies.percentileMs(50));
    modelLat.put("p90", modelLatencies.percentileMs(90));
    modelLat.put("p99", modelLatencies.percentileMs(99));
    Map<String, Map<String, Long>> outcomes = new TreeMap<>();
    replicas.forEach((m, list) -> {
      Map<String, Long> merged = new TreeMap<>();
      list.forEach(b -> b.callLog().outcomes().forEach((k, v) -> merged.merge(k, v, Long::sum)));
      outcomes.put(m, merged);
    });
    List<Map<String, Object>> timeline = new ArrayList<>();
    for (int s = 0; s < buckets; s++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("second", s);
      row.put("arrivals", perSecond[s][0]);
      row.put("answered", perSecond[s][1]);
      row.put("failed", perSecond[s][2]);
      timeline.add(row);
    }
    int offered = arrivals.size();
    return new SimulationReport(data, workload, rate, durationSeconds, pipeline, latencyScale, seed, faults,
        observed.chaosApplied(), offered, answered, abstained, observed.shed(), OpenLoopRun.failures(
            observed.finished()), answered / durationSeconds, withinSlo / durationSeconds, sloMs, lat, modelLat,
        answered == 0 ? Double.NaN : scoreSum / answered, offered == 0 ? Double.NaN : scoreSum / offered, cost,
        answered == 0 ? Double.NaN : cost / answered, calls, outcomes, attemptsBilledMoreThanOnce, timeline,
        observed.wallSeconds(), nodes == null ? null : List.copyOf(nodes));
  }

  String render() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "workload %s at %.2f/s for %.1f s through %s (latency scale %s, seed %d)%n",
        workload, rate, durationSeconds, pipeline, latencyScale, seed));
    sb.append("data: ").append(data).append('\n');
    if (!faults.isEmpty()) {
      sb.append("faults: ").append(faults).append('\n');
    }
    if (!chaosApplied.isEmpty()) {
      sb.append("chaos applied: ").append(chaosApplied).append('\n');
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"metric", "value"});
    rows.add(new String[] {"offered", Integer.toString(offered)});
    rows.add(new String[] {"answered", Integer.toString(answered)});
    rows.add(new String[] {"abstained", Integer.toString(abstained)});
    rows.add(new String[] {"shed by client", Integer.toString(shed)});
    failures.forEach((k, v) -> rows.add(new String[] {"failed: " + k, Integer.toString(v)}));
    rows.add(new String[] {"throughput /s", f("%.2f", throughputPerSecond)});
    rows.add(new String[] {"goodput /s (<= " + f("%.0f", sloMs) + " ms)", f("%.2f", goodputPerSecond)});
    latencyMs.forEach((k, v) -> rows.add(new String[] {"latency " + k + " ms", f("%.0f", v)}));
    // over HTTP the response gives the node's own latency of the query, not its model calls one by one
    String inner = nodes == null ? "model calls " : "node-side latency ";
    modelLatencyMs.forEach((k, v) -> rows.add(new String[] {inner + k + " ms", f("%.0f", v)}));
    rows.add(new String[] {"quality (answers)", f("%.4f", qualityOfAnswers)});
    rows.add(new String[] {"quality (offered)", f("%.4f", qualityOfOffered)});
    rows.add(new String[] {"cost total USD", f("%.4e", totalCostUsd)});
    rows.add(new String[] {"cost / answered USD", f("%.3e", costPerAnsweredQuery)});
    if (nodes == null) {
      rows.add(new String[] {"attempts billed twice", Integer.toString(attemptsBilledMoreThanOnce)});
    }
    sb.append(ReportTable.grid(rows));
    if (nodes == null) {
      sb.append("\ncalls and backend outcomes per model\n");
      List<String[]> models = new ArrayList<>();
      models.add(new String[] {"model", "calls", "backend outcomes"});
      callsPerModel.forEach((m, c) -> models.add(new String[] {m, Integer.toString(c),
          backendOutcomes.getOrDefault(m, Map.of()).toString()}));
      sb.append(ReportTable.grid(models));
      return sb.toString();
    }
    sb.append("\ncalls per model (backend outcomes stay in the node JVMs)\n");
    List<String[]> models = new ArrayList<>();
    models.add(new String[] {"model", "calls"});
    callsPerModel.forEach((m, c) -> models.add(new String[] {m, Integer.toString(c)}));
    sb.append(ReportTable.grid(models));
    sb.append("\nper node\n");
    List<String[]> perNode = new ArrayList<>();
    perNode.add(new String[] {"node", "sent", "answered", "failed (re-sent elsewhere)", "re-sends taken over", "killed"});
    for (NodesLauncher.NodeCount n : nodes) {
      perNode.add(new String[] {n.node(), Integer.toString(n.sent()), Integer.toString(n.answered()),
          Integer.toString(n.failed()), Integer.toString(n.resentHere()), n.killed() ? "yes" : "no"});
    }
    sb.append(ReportTable.grid(perNode));
    return sb.toString();
  }

  private static String f(String format, double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }
}
