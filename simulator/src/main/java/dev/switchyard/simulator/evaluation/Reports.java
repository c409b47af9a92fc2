package dev.switchyard.simulator.evaluation;

import dev.switchyard.strategies.Dimensions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders evaluation results: a terminal table, a Markdown table, {@code summary.csv}, {@code frontiers.csv}
 * and a self-contained {@code report.html} (inline SVG, no external scripts or styles). Every number is
 * formatted with {@link Locale#ROOT} so the files are byte-identical across machines for the same results.
 */
public final class Reports {
  public static final String SUMMARY_HEADER = "strategy,q_at_5,q_at_10,q_at_20,q_at_50,q_at_100,match_best_cost_pct,auc";
  public static final String FRONTIERS_HEADER =
      "strategy,tradeoff,quality,cost_usd,cost_pct,strong_share,routing_accuracy,mean_calls,latency_ms";
  private static final String[] PALETTE = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"
  };

  private Reports() {}

  public static String summaryCsv(List<PolicyResult> results) {
    StringBuilder sb = new StringBuilder(SUMMARY_HEADER).append('\n');
    for (PolicyResult r : results) {
      PolicyResult.Summary s = r.summary();
      sb.append(csvField(r.name()));
      for (double q : s.qualityAtBudget()) {
        sb.append(',').append(num(q, 4));
      }
      sb.append(',').append(num(s.matchBestCostPct(), 2)).append(',').append(num(s.auc(), 4)).append('\n');
    }
    return sb.toString();
  }

  public static String frontiersCsv(List<PolicyResult> results, Yardstick y) {
    StringBuilder sb = new StringBuilder(FRONTIERS_HEADER).append('\n');
    for (PolicyResult r : results) {
      for (FrontierPoint p : r.front()) {
        sb.append(csvField(r.name())).append(',').append(num(p.tradeoff(), 6)).append(',')
            .append(num(p.quality(), 6)).append(',').append(sci(p.costUsd())).append(',')
            .append(num(100.0 * p.costUsd() / y.bestCost(), 3)).append(',').append(num(p.strongShare(), 6)).append(',')
            .append(num(p.routingAccuracy(), 6)).append(',').append(num(p.meanCalls(), 4)).append(',')
            .append(num(p.latencyMs(), 1)).append('\n');
      }
    }
    return sb.toString();
  }

  /** The fixed-width table printed to the terminal. */
  public static String terminalTable(List<PolicyResult> results, Yardstick y, String dataName, String split) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%s, split %s: best single model %s (quality %.4f, $%.3e/query); "
        + "cheapest %s (%.4f, $%.3e)%n", dataName, split, y.bestModel(), y.bestQuality(), y.bestCost(),
        y.cheapModel(), y.cheapQuality(), y.cheapCost()));
    sb.append("budgets in % of the best single model's cost; '-' = not achievable\n");
    int width = Math.max(10, results.stream().mapToInt(r -> r.name().length()).max().orElse(10));
    String fmt = "%-" + width + "s %7s %7s %7s %7s %7s %8s %7s %7s %7s %7s%n";
    sb.append(String.format(Locale.ROOT, fmt, "strategy", "q@5%", "q@10%", "q@20%", "q@50%", "q@100%", "match%",
        "AUC", "APGR", "CPT50", "rt-acc"));
    for (PolicyResult r : results) {
      PolicyResult.Summary s = r.summary();
      double[] q = s.qualityAtBudget();
      sb.append(String.format(Locale.ROOT, fmt, r.name(), dash(q[0], 3), dash(q[1], 3), dash(q[2], 3), dash(q[3], 3),
          dash(q[4], 3), dash(s.matchBestCostPct(), 1), dash(s.auc(), 3), dash(s.apgr(), 3), dash(s.cpt50(), 3),
          dash(s.routingAccuracy(), 3)));
    }
    return sb.toString();
  }

  /** The per-method table of docs/STRATEGIES.md. */
  public static String markdown(List<PolicyResult> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("| strategy | class | when / signals / how | adaptation | q@5% | q@10% | q@20% | q@50% | q@100% "
        + "| match best (% cost) | AUC | APGR |\n");
    sb.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (PolicyResult r : results) {
      PolicyResult.Summary s = r.summary();
      String dims = r.info() == null ? "baseline" : dimensions(r.info().dimensions());
      String adaptation = r.info() == null ? "" : r.info().adaptation();
      sb.append("| ").append(md(r.name())).append(" | ").append(md(r.implementation())).append(" | ")
          .append(md(dims)).append(" | ").append(md(adaptation)).append(" |");
      for (double q : s.qualityAtBudget()) {
        sb.append(' ').append(dash(q, 3)).append(" |");
      }
      sb.append(' ').append(dash(s.matchBestCostPct(), 1)).append(" | ").append(dash(s.auc(), 3)).append(" | ")
          .append(dash(s.apgr(), 3)).append(" |\n");
    }
    return sb.toString();
  }

  static String dimensions(Dimensions d) {
    return d.when().name().toLowerCase(Locale.ROOT) + " / "
        + d.signals().stream().map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining("+")) + " / "
        + d.how().name().toLowerCase(Locale.ROOT);
  }

  /** A self-contained page: summary table and an inline SVG of every frontier (log-scaled cost axis). */
  public static String html(List<PolicyResult> results, Yardstick y, String dataName, String split) {
    double minCost = Double.POSITIVE_INFINITY;
    double maxCost = 0;
    double minQ = 1;
    double maxQ = 0;
    for (PolicyResult r : results) {
      for (FrontierPoint p : r.front()) {
        if (p.costUsd() > 0) {
          minCost = Math.min(minCost, p.costUsd());
          maxCost = Math.max(maxCost, p.costUsd());
        }
        minQ = Math.min(minQ, p.quality());
        maxQ = Math.max(maxQ, p.quality());
      }
    }
    if (!(minCost < maxCost)) {
      minCost = minCost == Double.POSITIVE_INFINITY ? 1e-6 : minCost / 2;
      maxCost = Math.max(maxCost, minCost * 4);
    }
    double lo = Math.log10(minCost) - 0.05;
    double hi = Math.log10(maxCost) + 0.05;
    double qLo = Math.max(0, Math.floor(minQ * 10) / 10);
    double qHi = Math.min(1.0, Math.ceil(maxQ * 10) / 10 + 1e-9);
    if (qHi <= qLo) {
      qHi = qLo + 0.1;
    }
    int w = 900;
    int h = 560;
    int left = 70;
    int right = 260;
    int top = 20;
    int bottom = 50;
    double pw = w - left - right;
    double ph = h - top - bottom;
    final double fLo = lo;
    final double fHi = hi;
    final double fqLo = qLo;
    final double fqHi = qHi;
    // A zero-cost point (files without costs) sits on the left edge rather than off the plot.
    java.util.function.DoubleUnaryOperator sx = c -> left + pw * Math.max(0, Math.min(1,
        (Math.log10(Math.max(c, 1e-300)) - fLo) / (fHi - fLo)));
    java.util.function.DoubleUnaryOperator sy = q -> top + ph * (1 - (q - fqLo) / (fqHi - fqLo));

    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", w, h, w, h));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
        + "stroke=\"#999\"/>%n", left, top, pw, ph));
    for (int e = (int) Math.ceil(lo); e <= Math.floor(hi); e++) {
      for (int m = 1; m <= 9; m++) {
        double c = m * Math.pow(10, e);
        double lc = Math.log10(c);
        if (lc < lo || lc > hi) {
          continue;
        }
        double x = sx.applyAsDouble(c);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
            x, top, x, top + ph, m == 1 ? "#ccc" : "#eee"));
        if (m == 1) {
          svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">1e%d</text>%n",
              x, top + ph + 15, e));
        }
      }
    }
    for (double q = qLo; q <= qHi + 1e-9; q += 0.05) {
      double yy = sy.applyAsDouble(q);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
          left, yy, left + pw, yy));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n",
          left - 5, yy + 4, q));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">mean cost per query "
        + "(USD, log scale)</text>%n", left + pw / 2, h - 10));
    svg.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%.1f\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 15 %.1f)\">mean quality</text>%n", top + ph / 2, top + ph / 2));
    for (int pct : Evaluation.BUDGET_PERCENTS) {
      double c = y.bestCost() * pct / 100.0;
      if (Math.log10(c) >= lo && Math.log10(c) <= hi) {
        double x = sx.applyAsDouble(c);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\" "
            + "stroke-dasharray=\"2,3\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#888\">%d%%</text>%n",
            x, top, x, top + ph, x, top + 12, pct));
      }
    }
    int legendRow = 0;
    int colour = 0;
    List<String> singles = new ArrayList<>();
    for (PolicyResult r : results) {
      String stroke;
      if (r.kind() == PolicyResult.Kind.SINGLE) {
        FrontierPoint p = r.front().get(0);
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"#555\">"
            + "<title>%s</title></rect>%n", sx.applyAsDouble(p.costUsd()) - 3.5, sy.applyAsDouble(p.quality()) - 3.5,
            xml(r.name())));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\" font-size=\"9\">%s</text>%n",
            sx.applyAsDouble(p.costUsd()) + 5, sy.applyAsDouble(p.quality()) + 10, xml(r.name().substring(7))));
        singles.add(r.name());
        continue;
      }
      stroke = r.kind() == PolicyResult.Kind.RANDOM ? "#888" : r.kind() == PolicyResult.Kind.ORACLE ? "#000"
          : PALETTE[colour++ % PALETTE.length];
      StringBuilder pts = new StringBuilder();
      for (FrontierPoint p : r.front()) {
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.applyAsDouble(p.costUsd()), sy.applyAsDouble(p.quality())));
      }
      String dash = r.kind() == PolicyResult.Kind.RANDOM ? " stroke-dasharray=\"6,4\"" : "";
      svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\">"
          + "<title>%s</title></polyline>%n", stroke, dash, pts.toString().strip(), xml(r.name())));
      for (FrontierPoint p : r.front()) {
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s: "
            + "quality %.4f, cost %.3e</title></circle>%n", sx.applyAsDouble(p.costUsd()), sy.applyAsDouble(p.quality()),
            r.kind() == PolicyResult.Kind.ORACLE ? "5" : "2.5", stroke, xml(r.name()), p.quality(), p.costUsd()));
      }
      double ly = top + 10 + 16 * legendRow++;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
          + "stroke-width=\"2\"%s/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n", left + pw + 15, ly, left + pw + 40, ly,
          stroke, dash, left + pw + 45, ly + 4, xml(r.name())));
    }
    double ly = top + 10 + 16 * legendRow;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"#555\"/>"
        + "<text x=\"%.1f\" y=\"%.1f\">single models</text>%n", left + pw + 24, ly - 3.5, left + pw + 45, ly + 4));
    svg.append("</svg>\n");

    StringBuilder page = new StringBuilder();
    page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Switchyard evaluation: ")
        .append(xml(dataName)).append("</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
            + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
            + "text-align:right}td:first-child,th:first-child{text-align:left}</style></head><body>\n");
    page.append("<h1>Quality-cost frontiers: ").append(xml(dataName)).append(", split ").append(xml(split))
        .append("</h1>\n");
    page.append(String.format(Locale.ROOT, "<p>Best single model %s: quality %.4f at $%.3e per query. Cheapest "
        + "model %s: %.4f at $%.3e. Strategies trained on the train split only. Budgets are in %% of the best "
        + "single model's cost; quality at a budget is read off the upper concave envelope of the frontier "
        + "(achievable by randomly mixing two frontier policies).</p>%n", xml(y.bestModel()), y.bestQuality(),
        y.bestCost(), xml(y.cheapModel()), y.cheapQuality(), y.cheapCost()));
    page.append(svg);
    page.append("<table><tr><th>strategy</th><th>q@5%</th><th>q@10%</th><th>q@20%</th><th>q@50%</th>"
        + "<th>q@100%</th><th>match best (% cost)</th><th>AUC</th><th>APGR</th><th>CPT(50%)</th>"
        + "<th>routing acc.</th></tr>\n");
    for (PolicyResult r : results) {
      PolicyResult.Summary s = r.summary();
      page.append("<tr><td>").append(xml(r.name())).append("</td>");
      for (double q : s.qualityAtBudget()) {
        page.append("<td>").append(dash(q, 4)).append("</td>");
      }
      page.append("<td>").append(dash(s.matchBestCostPct(), 1)).append("</td><td>").append(dash(s.auc(), 3))
          .append("</td><td>").append(dash(s.apgr(), 3)).append("</td><td>").append(dash(s.cpt50(), 3))
          .append("</td><td>").append(dash(s.routingAccuracy(), 3)).append("</td></tr>\n");
    }
    page.append("</table>\n</body></html>\n");
    return page.toString();
  }

  public static void write(Path dir, List<PolicyResult> results, Yardstick y, String dataName, String split)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.csv"), summaryCsv(results), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("frontiers.csv"), frontiersCsv(results, y), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("report.html"), html(results, y, dataName, split), StandardCharsets.UTF_8);
  }

  static String num(double v, int decimals) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String sci(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6e", v);
  }

  private static String dash(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  private static String md(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
