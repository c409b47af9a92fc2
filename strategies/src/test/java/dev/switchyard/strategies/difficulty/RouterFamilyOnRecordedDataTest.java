package dev.switchyard.strategies.difficulty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.StrategyContext;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every router of the family, fitted on the recorded train split and replayed with {@link OfflineReplay} on every
 * {@value #STRIDE}th query of the test split (to keep the run short): at its best trade-off point each must beat
 * random mixing at equal or lower cost. For a strong/weak router, random mixing is RouteLLM's baseline: a random
 * share of queries to its strong model, the rest to its weak one. For a multi-model router it is the best random
 * mixture of any two single models (the upper convex hull of the single models' test quality and cost), a
 * stronger baseline than any fixed pair. Skipped when the shared data is absent.
 */
class RouterFamilyOnRecordedDataTest {
  private static final Path DATA = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"),
      "zellinger-cascade9", "queries.jsonl");

  private static final int STRIDE = 4;

  record Point(double tradeoff, double quality, double cost) {}

  @Test
  void everyRouterBeatsRandomMixingAtEqualOrLowerCostOnTheTestSplit() {
    Assumptions.assumeTrue(Files.isRegularFile(DATA), "recorded data not found at " + DATA + "; skipping");
    RecordedDataset all = RecordedDataset.load(DATA);
    RecordedDataset train = all.split("train");
    RecordedDataset fullTest = all.split("test");
    List<RecordedQuery> sample = new ArrayList<>();
    for (int i = 0; i < fullTest.size(); i += STRIDE) {
      sample.add(fullTest.queries().get(i));
    }
    RecordedDataset test = fullTest.subset(sample, "sample");
    List<ModelCard> cards = ModelCatalog.fromRecorded(train);
    List<Point> singles = new ArrayList<>();
    for (String m : train.models()) {
      singles.add(new Point(Double.NaN, test.meanScore(m), test.meanCost(m)));
      System.out.printf("single %-28s q=%.4f c=%.3e%n", m, test.meanScore(m), test.meanCost(m));
    }
    List<Point> hull = upperHull(singles);
    hull.forEach(p -> System.out.printf("hull point q=%.4f c=%.3e%n", p.quality(), p.cost()));
    List<String> failures = new ArrayList<>();
    long total = System.nanoTime();
    for (Supplier<Strategy> supplier : RouterFamily.members()) {
      Strategy router = supplier.get();
      long start = System.nanoTime();
      router.fit(train, StrategyContext.seeded(7));
      long fitMs = (System.nanoTime() - start) / 1_000_000;
      start = System.nanoTime();
      List<Point> baseline = hull;
      String baselineName = "hull of single models";
      if (router instanceof StrongWeakRouter sw) {
        baseline = List.of(
            new Point(0, test.meanScore(sw.weakModel()), test.meanCost(sw.weakModel())),
            new Point(1, test.meanScore(sw.strongModel()), test.meanCost(sw.strongModel())));
        baselineName = "mix " + sw.weakModel() + "/" + sw.strongModel();
      }
      Point bestMargin = null;
      double margin = Double.NEGATIVE_INFINITY;
      List<Point> frontier = new ArrayList<>();
      for (double t : router.tradeoffs()) {
        Planner planner = router.planner(t);
        double q = 0;
        double c = 0;
        for (RecordedQuery rq : test.queries()) {
          OfflineReplay.Outcome o = OfflineReplay.run(planner, rq, cards, Budget.unlimited(), "test", 0);
          q += o.score();
          c += o.costUsd();
        }
        Point p = new Point(t, q / test.size(), c / test.size());
        frontier.add(p);
        double mix = mixQuality(baseline, p.cost());
        if (p.quality() - mix > margin) {
          margin = p.quality() - mix;
          bestMargin = p;
        }
      }
      long replayMs = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("%-20s fit %5d ms, replay %5d ms, best point t=%.3f q=%.4f c=%.3e (%+.4f over %s); "
              + "max q=%.4f%n", router.info().name(), fitMs, replayMs, bestMargin.tradeoff(),
          bestMargin.quality(), bestMargin.cost(), margin, baselineName,
          frontier.stream().mapToDouble(Point::quality).max().orElse(0));
      if (!(margin > 0)) {
        failures.add(router.info().name() + " (margin " + margin + ")");
      }
    }
    System.out.printf("whole family: %d ms%n", (System.nanoTime() - total) / 1_000_000);
    assertTrue(failures.isEmpty(), "routers not beating random mixing on test: " + failures);
  }

  /** The upper concave envelope of (cost, quality) points, by increasing cost. */
  static List<Point> upperHull(List<Point> points) {
    List<Point> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(Point::cost).thenComparingDouble(Point::quality));
    List<Point> hull = new ArrayList<>();
    for (Point p : sorted) {
      while (hull.size() >= 2 && turnsUp(hull.get(hull.size() - 2), hull.get(hull.size() - 1), p)) {
        hull.remove(hull.size() - 1);
      }
      // a dearer point is worth mixing in only if it is also better
      if (hull.isEmpty() || p.quality() > hull.get(hull.size() - 1).quality()) {
        hull.add(p);
      }
    }
    return hull;
  }

  /** True if b lies on or below the segment from a to c. */
  private static boolean turnsUp(Point a, Point b, Point c) {
    double cross = (b.cost() - a.cost()) * (c.quality() - a.quality()) - (b.quality() - a.quality()) * (c.cost() - a.cost());
    return cross >= 0;
  }

  /** Best quality random mixing reaches at cost c: linear between hull points, flat outside them. */
  static double mixQuality(List<Point> hull, double c) {
    if (c <= hull.get(0).cost()) {
      return hull.get(0).quality();
    }
    for (int i = 1; i < hull.size(); i++) {
      Point a = hull.get(i - 1);
      Point b = hull.get(i);
      if (c <= b.cost()) {
        return a.quality() + (b.quality() - a.quality()) * (c - a.cost()) / (b.cost() - a.cost());
      }
    }
    return hull.get(hull.size() - 1).quality();
  }
}
