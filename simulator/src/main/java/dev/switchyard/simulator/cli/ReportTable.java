package dev.switchyard.simulator.cli;

import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.RecordedQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's tables: one row per pipeline, then every single model and the oracle computed from the recorded
 * data on the same queries (the baselines of every report), and the calls each pipeline made per model.
 */
final class ReportTable {
  private ReportTable() {}

  /** One row per model ("always this model") and the oracle (per query the best model, ties to the cheapest). */
  static List<RunStats> baselines(List<String> models, List<RecordedQuery> queries) {
    List<RunStats> out = new ArrayList<>();
    for (String m : models) {
      RunStats s = new RunStats(m);
      for (RecordedQuery q : queries) {
        RecordedOutcome o = q.outcome(m);
        s.recordBaseline(m, o.score(), o.costUsd(), o.hasLatency() ? o.latencyMs() : Double.NaN);
      }
      out.add(s);
    }
    RunStats oracle = new RunStats("oracle");
    for (RecordedQuery q : queries) {
      String best = null;
      for (String m : models) {
        RecordedOutcome o = q.outcome(m);
        if (best == null || o.score() > q.outcome(best).score()
            || (o.score() == q.outcome(best).score() && o.costUsd() < q.outcome(best).costUsd())) {
          best = m;
        }
      }
      RecordedOutcome o = q.outcome(best);
      oracle.recordBaseline(best, o.score(), o.costUsd(), o.hasLatency() ? o.latencyMs() : Double.NaN);
    }
    out.add(oracle);
    return out;
  }

  static String render(List<RunStats> pipelines, List<RunStats> baselines, List<String> models) {
    StringBuilder sb = new StringBuilder();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"", "queries", "quality", "cost/query USD", "calls/query", "p50 ms", "p99 ms",
        "failed"});
    for (RunStats s : pipelines) {
      rows.add(row(s));
    }
    rows.add(null);
    for (RunStats s : baselines) {
      rows.add(row(s));
    }
    sb.append(grid(rows));
    sb.append('\n').append("calls per model\n");
    List<String[]> calls = new ArrayList<>();
    String[] head = new String[pipelines.size() + 1];
    head[0] = "model";
    for (int i = 0; i < pipelines.size(); i++) {
      head[i + 1] = pipelines.get(i).name();
    }
    calls.add(head);
    for (String m : models) {
      String[] r = new String[pipelines.size() + 1];
      r[0] = m;
      for (int i = 0; i < pipelines.size(); i++) {
        Map<String, Integer> c = pipelines.get(i).callsPerModel();
        r[i + 1] = Integer.toString(c.getOrDefault(m, 0));
      }
      calls.add(r);
    }
    sb.append(grid(calls));
    return sb.toString();
  }

  private static String[] row(RunStats s) {
    return new String[] {s.name(), Integer.toString(s.queries()), fmt("%.4f", s.quality()),
        fmt("%.3e", s.costPerQuery()), fmt("%.2f", s.callsPerQuery()), fmt("%.0f", s.percentile(50)),
        fmt("%.0f", s.percentile(99)), Integer.toString(s.failureCount())};
  }

  private static String fmt(String format, double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }

  /** Left-aligned first column, right-aligned numbers; a null row draws a separator. */
  static String grid(List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      if (r != null) {
        for (int c = 0; c < cols; c++) {
          width[c] = Math.max(width[c], r[c].length());
        }
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      if (r == null || i == 1) {
        for (int c = 0; c < cols; c++) {
          sb.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        }
        sb.append('\n');
        if (r == null) {
          continue;
        }
      }
      for (int c = 0; c < cols; c++) {
        String cell = r[c];
        String pad = " ".repeat(width[c] - cell.length());
        sb.append(c == 0 ? "" : "  ").append(c == 0 ? cell + pad : pad + cell);
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
