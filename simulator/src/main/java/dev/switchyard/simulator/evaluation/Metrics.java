package dev.switchyard.simulator.evaluation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * The evaluator's metrics on a set of operating points. Every metric is computed on the <em>achievable
 * frontier</em>: the upper concave envelope of the points in the (cost, quality) plane. A point on a segment
 * between two vertices is achievable by sending each query, with a seeded coin, to one of the two policies, so
 * its expected cost and quality are the linear interpolation. Below the cheapest point nothing is achievable.
 *
 * <ul>
 *   <li>{@link #qualityAt}: Q(c) = the envelope's quality at cost c, or the top quality when c exceeds the
 *       costliest vertex; empty when c is below the cheapest point.
 *   <li>{@link #costToMatch}: the smallest c with Q(c) &gt;= target; empty if never reached.
 *   <li>{@link #normalisedAuc}: (1 / (c_best - c_cheap)) * integral over [c_cheap, c_best] of
 *       (Q(c) - q_cheap) / (q_best - q_cheap) dc, with the integrand 0 where Q is undefined. Random mixing of
 *       the cheapest and the best model scores 0.5, each of those two models alone 0.
 *   <li>{@link #apgr}: RouteLLM's average performance gap recovered (Ong et al., arXiv 2406.18665): the same
 *       envelope built in the (strong-call share, quality) plane, PGR(s) = (Q(s) - q_weak) / (q_strong - q_weak),
 *       APGR = integral of PGR over s in [0, 1] (0 where undefined). Random mixing scores 0.5.
 *   <li>{@link #callsToReach}: RouteLLM's CPT(x): the smallest strong-call share whose PGR reaches x.
 * </ul>
 *
 * <p>{@link BudgetRule#STEP} is the stricter reading without mixing: Q(c) is the best quality of a single
 * frontier point with cost &lt;= c (a staircase), used the same way by every metric above except APGR.
 */
public final class Metrics {
  /** How quality at a budget is read off the frontier. */
  public enum BudgetRule {
    /** Upper concave envelope: two frontier policies mixed at random (the default). */
    HULL,
    /** Staircase: the best single frontier point within the budget. */
    STEP
  }

  private static final double EPS = 1e-12;

  private Metrics() {}

  /** Points not dominated by a cheaper-or-equal point of at least their quality, sorted by cost. */
  public static List<FrontierPoint> paretoFront(List<FrontierPoint> points) {
    return paretoFront(points, FrontierPoint::costUsd);
  }

  static List<FrontierPoint> paretoFront(List<FrontierPoint> points, ToDoubleFunction<FrontierPoint> x) {
    List<FrontierPoint> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(x).thenComparing(
        Comparator.comparingDouble(FrontierPoint::quality).reversed()));
    List<FrontierPoint> kept = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (FrontierPoint p : sorted) {
      if (p.quality() > best + EPS) {
        kept.add(p);
        best = p.quality();
      }
    }
    return kept;
  }

  /** Vertices (x, quality) of the upper concave envelope of the Pareto points, by increasing x. */
  static double[][] envelope(List<FrontierPoint> points, ToDoubleFunction<FrontierPoint> x) {
    List<FrontierPoint> front = paretoFront(points, x);
    List<double[]> hull = new ArrayList<>();
    for (FrontierPoint p : front) {
      double[] v = {x.applyAsDouble(p), p.quality()};
      // Pop the last vertex while it lies on or below the chord from the one before it to v.
      while (hull.size() >= 2) {
        double[] a = hull.get(hull.size() - 2);
        double[] b = hull.get(hull.size() - 1);
        double cross = (b[0] - a[0]) * (v[1] - a[1]) - (b[1] - a[1]) * (v[0] - a[0]);
        if (cross >= -EPS) {
          hull.remove(hull.size() - 1);
        } else {
          break;
        }
      }
      hull.add(v);
    }
    return hull.toArray(new double[0][]);
  }

  /** Quality at a mean-cost budget (see class comment); empty below the cheapest point. */
  public static OptionalDouble qualityAt(List<FrontierPoint> points, double budgetUsd) {
    return valueAt(envelope(points, FrontierPoint::costUsd), budgetUsd);
  }

  public static OptionalDouble qualityAt(List<FrontierPoint> points, double budgetUsd, BudgetRule rule) {
    return rule == BudgetRule.HULL ? qualityAt(points, budgetUsd) : valueAt(staircase(points), budgetUsd);
  }

  /** Vertices of the staircase through the Pareto points: each quality holds until the next point's cost. */
  static double[][] staircase(List<FrontierPoint> points) {
    List<FrontierPoint> front = paretoFront(points);
    List<double[]> v = new ArrayList<>();
    for (int i = 0; i < front.size(); i++) {
      FrontierPoint p = front.get(i);
      if (i > 0) {
        v.add(new double[] {p.costUsd(), front.get(i - 1).quality(), 1}); // left limit of the step
      }
      v.add(new double[] {p.costUsd(), p.quality(), 0});
    }
    return v.toArray(new double[0][]);
  }

  static OptionalDouble valueAt(double[][] hull, double x) {
    if (hull.length == 0 || x < hull[0][0] - EPS * Math.max(1, Math.abs(x))) {
      return OptionalDouble.empty();
    }
    for (int i = 0; i + 1 < hull.length; i++) {
      double[] a = hull[i];
      double[] b = hull[i + 1];
      if (x < b[0] || (x == b[0] && b.length == 2)) {
        if (x <= a[0]) {
          return OptionalDouble.of(a[1]);
        }
        return OptionalDouble.of(a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]));
      }
    }
    return OptionalDouble.of(hull[hull.length - 1][1]);
  }

  /** Smallest mean cost at which the achievable frontier reaches {@code target}; empty if it never does. */
  public static OptionalDouble costToMatch(List<FrontierPoint> points, double target) {
    return costToMatch(points, target, BudgetRule.HULL);
  }

  public static OptionalDouble costToMatch(List<FrontierPoint> points, double target, BudgetRule rule) {
    if (rule == BudgetRule.STEP) {
      return paretoFront(points).stream().filter(p -> p.quality() >= target - EPS)
          .mapToDouble(FrontierPoint::costUsd).min();
    }
    return firstReaching(envelope(points, FrontierPoint::costUsd), target);
  }

  /** Normalised area under the quality-cost curve between the cheapest and the best single model. */
  public static double normalisedAuc(List<FrontierPoint> points, double cheapCost, double cheapQuality,
      double bestCost, double bestQuality) {
    return normalisedAuc(points, cheapCost, cheapQuality, bestCost, bestQuality, BudgetRule.HULL);
  }

  public static double normalisedAuc(List<FrontierPoint> points, double cheapCost, double cheapQuality,
      double bestCost, double bestQuality, BudgetRule rule) {
    if (!(bestCost > cheapCost) || !(bestQuality > cheapQuality)) {
      return Double.NaN;
    }
    double[][] curve = rule == BudgetRule.HULL ? envelope(points, FrontierPoint::costUsd) : staircase(points);
    double area = integrate(curve, cheapCost, bestCost, cheapQuality);
    return area / ((bestCost - cheapCost) * (bestQuality - cheapQuality));
  }

  /** APGR over strong-call shares in [0, 1] (see class comment). */
  public static double apgr(List<FrontierPoint> points, double weakQuality, double strongQuality) {
    if (!(strongQuality > weakQuality)) {
      return Double.NaN;
    }
    double[][] hull = envelope(points, FrontierPoint::strongShare);
    return integrate(hull, 0, 1, weakQuality) / (strongQuality - weakQuality);
  }

  /** Smallest strong-call share at which PGR reaches {@code pgr}; empty if it never does. */
  public static OptionalDouble callsToReach(List<FrontierPoint> points, double pgr, double weakQuality,
      double strongQuality) {
    double target = weakQuality + pgr * (strongQuality - weakQuality);
    return firstReaching(envelope(points, FrontierPoint::strongShare), target);
  }

  /** The smallest x at which the piecewise-linear {@code hull} reaches {@code target}; empty if it never does. */
  private static OptionalDouble firstReaching(double[][] hull, double target) {
    for (int i = 0; i < hull.length; i++) {
      if (hull[i][1] >= target - EPS) {
        if (i == 0) {
          return OptionalDouble.of(hull[0][0]);
        }
        double[] a = hull[i - 1];
        double[] b = hull[i];
        return OptionalDouble.of(a[0] + (b[0] - a[0]) * (target - a[1]) / (b[1] - a[1]));
      }
    }
    return OptionalDouble.empty();
  }

  /**
   * Exact integral over [from, to] of (envelope(x) - base), where the envelope is piecewise linear, constant
   * after its last vertex and counted as {@code base} (integrand 0) before its first.
   */
  static double integrate(double[][] hull, double from, double to, double base) {
    if (hull.length == 0 || to <= from) {
      return 0;
    }
    List<Double> xs = new ArrayList<>();
    xs.add(from);
    for (double[] v : hull) {
      if (v[0] > from && v[0] < to) {
        xs.add(v[0]);
      }
    }
    xs.add(to);
    double area = 0;
    for (int i = 0; i + 1 < xs.size(); i++) {
      double x0 = xs.get(i);
      double x1 = xs.get(i + 1);
      if (x1 <= hull[0][0]) {
        continue; // nothing achievable here
      }
      x0 = Math.max(x0, hull[0][0]);
      if (x1 <= x0) {
        continue;
      }
      // Linear between consecutive breakpoints, so the trapezoid is exact; a staircase's jump sits on a
      // breakpoint, so the interior values (a quarter in from each end) are the ones that count.
      double q0 = valueAt(hull, x0 + (x1 - x0) * 0.25).orElseThrow() - base;
      double q1 = valueAt(hull, x1 - (x1 - x0) * 0.25).orElseThrow() - base;
      area += (x1 - x0) * (q0 + q1) / 2;
    }
    return area;
  }
}
